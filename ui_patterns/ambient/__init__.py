"""Ambient agents page: agents panel, agent inbox, run timeline with rewind."""
