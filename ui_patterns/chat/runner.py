"""Runs one chat turn at a time in the agent engine and feeds its events to a TurnWidget.

`ChatAgent.run_turn` is a generator; the engine's `TurnService` iterates it (in the desktop app, in
the engine's child process, so streaming, recall and step writes never compete with the GUI thread
for the GIL) and sends each event back; they arrive here through queued signals, so the GUI thread
only appends text and updates labels. Stop is cooperative: the turn's `should_stop` becomes true
and the partial reply is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from agent_core.chat.agent import AgentEvent, TurnResult, TurnService
from agent_core.runtime.engine import Service
from ui_patterns.chat.turn import TurnWidget
from ui_patterns.common import LabContext
from ui_patterns.common.workers import future_error

Finished = Callable[[TurnWidget, TurnResult], None]


class ChatRunner(QObject):
    turn_finished = Signal(object)  # TurnResult (also when it ended in an error or a stop)
    idle = Signal()
    event = Signal(object)  # every AgentEvent of the running turn, on the GUI thread
    _ended = Signal(str, str)  # turn key, error message ("" when the call returned)

    def __init__(self, ctx: LabContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.turn: TurnWidget | None = None
        self.conversation_id: str | None = None
        self._key: str | None = None
        self._done: tuple[TurnResult, str] | None = None
        self._then: Finished | None = None
        self._service = f"chat-{id(self):x}"
        self._engine = ctx.engine
        self._turns = Service.open(self._engine, self._service, TurnService, self._service)
        self._engine.listeners.append(self._on_engine)
        self.event.connect(self._on_event)
        self._ended.connect(self._on_ended)

    @property
    def running(self) -> bool:
        return self._key is not None

    def start(
        self,
        turn: TurnWidget,
        conversation_id: str,
        text: str,
        *,
        stream: bool,
        memory_mode: str,
        branch_of: str | None = None,
        existing_user_message: str | None = None,
        then: Finished | None = None,
    ) -> None:
        if self.running:
            raise RuntimeError("a turn is already running")
        key = self._key = uuid.uuid4().hex
        self.turn, self.conversation_id, self._done, self._then = turn, conversation_id, None, then
        turn.begin(stream)
        options = {"stream": stream, "branch_of": branch_of, "existing_user_message": existing_user_message}
        future = self._turns.call(
            TurnService.run_turn, key, self.ctx.profile, memory_mode, conversation_id, text, options,
            lane=self._service,
        )  # fmt: skip
        future.add_done_callback(lambda f, k=key: self._ended.emit(k, future_error(f, "turn")))

    def stop(self) -> None:
        if self._key is not None:
            self._turns.call(TurnService.stop, self._key, lane="")

    def close(self) -> None:
        """Stop listening to the engine (the page is going away)."""
        self.stop()
        if self._on_engine in self._engine.listeners:
            self._engine.listeners.remove(self._on_engine)

    def _on_engine(self, kind: str, payload: object) -> None:  # any thread
        if kind == self._service:
            key, event = payload  # type: ignore[misc]
            if key == self._key:
                self.event.emit(event)

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        if not isinstance(ev, AgentEvent) or self.turn is None:
            return
        if ev.kind == "done":
            self._done = (ev.data["result"], ev.data["status"])
        else:
            self.turn.on_event(ev)

    @Slot(str, str)
    def _on_ended(self, key: str, error: str) -> None:
        if key != self._key:
            return
        turn, done = self.turn, self._done
        if error:
            if turn is not None:
                turn.show_error(error)
            self._end(TurnResult(error=error, user_message_id=turn.user_message_id if turn else ""))
            return
        if turn is not None and done is not None:
            turn.finish(*done)
        self._end(done[0] if done else TurnResult(error="the turn ended without a result"))

    def _end(self, result: TurnResult) -> None:
        turn, then = self.turn, self._then
        self._key, self.turn, self._then = None, None, None
        if then is not None and turn is not None:
            then(turn, result)
        self.turn_finished.emit(result)
        self.idle.emit()
