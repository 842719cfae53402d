"""Generative-UI turns as an agent-engine service (in the desktop app: in the engine's child process).

`run_turn` iterates `run_genui_turn` and sends each event (AgentEvents and ToolCallEvents, both
picklable dataclasses) out as `(name, (key, event))`; `stop(key)` (an inline call) makes that turn's
`should_stop` true. An interactive component ends the call like any turn: the user's answer comes
back later as a new `run_turn`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .run import run_genui_turn

if TYPE_CHECKING:
    from agent_core.lab import Lab


class GenUITurnService:
    def __init__(self, lab: Lab, emit: Callable[[str, object], None], name: str) -> None:
        self.lab, self.emit, self.name = lab, emit, name
        self._stopped: set[str] = set()

    def run_turn(self, key: str, profile: str, conversation_id: str, text: str, options: dict) -> None:
        """Options: `memory_mode` (None: the lab's), `chunk_delay` (seconds between argument pieces)."""
        try:
            for event in run_genui_turn(
                self.lab,
                profile,
                conversation_id,
                text,
                lambda: key in self._stopped,
                memory_mode=options.get("memory_mode"),
                chunk_delay=float(options.get("chunk_delay") or 0.0),
            ):
                self.emit(self.name, (key, event))
        finally:
            self._stopped.discard(key)

    def stop(self, key: str) -> None:
        self._stopped.add(key)
