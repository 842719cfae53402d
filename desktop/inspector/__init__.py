"""The memory inspector: the shell's "Memory" page."""

from desktop.inspector.page import MemoryInspector

__all__ = ["MemoryInspector"]
