"""Runs one generative-UI turn at a time in the agent engine and hands its events to the page.

The engine's `GenUITurnService` iterates the turn (in the desktop app, in the engine's child process,
so the model stream, the tools and the step writes never compete with the GUI thread for the GIL)
and sends each event back; they arrive here through queued signals, in order, followed by `ended`.
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from typing import cast

from PySide6.QtCore import QObject, Qt, Signal, Slot

from agent_core.genui.service import GenUITurnService
from agent_core.runtime.engine import Service
from ui_patterns.common import LabContext
from ui_patterns.common.workers import future_error


class GenUIRunner(QObject):
    turn_event = Signal(object)  # AgentEvent or ToolCallEvent of the running turn, on the GUI thread
    ended = Signal(str)  # error message, "" when the turn's call returned
    _event = Signal(str, object)  # turn key, event (from any thread)
    _ended = Signal(str, str)  # turn key, error message

    def __init__(self, ctx: LabContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._key: str | None = None
        self._service = f"genui-{id(self):x}"
        self._engine = ctx.engine
        self._turns = Service.open(self._engine, self._service, GenUITurnService, self._service)
        self._engine.listeners.append(self._on_engine)
        # queued even from the GUI thread (a call already done runs its callback at once), so `ended`
        # always comes after the events sent before it
        self._event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._key is not None

    def start(self, conversation_id: str, text: str, *, memory_mode: str | None, chunk_delay: float) -> None:
        if self.running:
            raise RuntimeError("a turn is already running")
        key = self._key = uuid.uuid4().hex
        options = {"memory_mode": memory_mode, "chunk_delay": chunk_delay}
        future = self._turns.call(
            GenUITurnService.run_turn, key, self.ctx.profile, conversation_id, text, options,
            lane=self._service,
        )  # fmt: skip

        def done(f: Future) -> None:  # any thread
            self._ended.emit(key, future_error(f, "turn"))

        future.add_done_callback(done)

    def stop(self) -> None:
        """Cooperative: the turn stops at its next event (what streamed so far stays)."""
        if self._key is not None:
            self._turns.call(GenUITurnService.stop, self._key, lane="")

    def close(self) -> None:
        """Stop the turn and stop listening to the engine (the page is going away)."""
        self.stop()
        if self._on_engine in self._engine.listeners:
            self._engine.listeners.remove(self._on_engine)

    def _on_engine(self, kind: str, payload: object) -> None:  # any thread
        if kind == self._service:
            key, event = cast(tuple[str, object], payload)
            self._event.emit(key, event)

    @Slot(str, object)
    def _on_event(self, key: str, event: object) -> None:
        if key == self._key:
            self.turn_event.emit(event)

    @Slot(str, str)
    def _on_ended(self, key: str, error: str) -> None:
        if key == self._key:
            self._key = None
            self.ended.emit(error)
