"""AG-UI: runs as AG-UI events (out), recordings and remote AG-UI agents (in), JSON Patch."""
