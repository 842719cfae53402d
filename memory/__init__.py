"""Agent memory: procedural, semantic and episodic; SQLite (the truth) plus Chroma (the index).

The front door is `MemorySystem` (add, search, get, list, update, delete, history, forget) with
typed results (`Fact`, `Recalled` and its `ScoreParts`). Names load on first use, so importing a
submodule (memory.clock, memory.secrets) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory.api import Fact, MemorySystem
    from memory.recall import Recalled, RecallWeights, ScoreParts

__all__ = ["Fact", "MemorySystem", "RecallWeights", "Recalled", "ScoreParts"]
_HOMES = {"Fact": "memory.api", "MemorySystem": "memory.api"} | dict.fromkeys(
    ("Recalled", "RecallWeights", "ScoreParts"), "memory.recall"
)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'memory' has no attribute {name!r}")
