"""The headless command line: `agent-ux-lab <subcommand>` (main.py dispatches to the others)."""
