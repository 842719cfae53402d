"""Runs one chat turn at a time on a pool thread and feeds its events to a TurnWidget.

`ChatAgent.run_turn` is a generator; `run_generator` iterates it off the GUI thread and the events
arrive here through queued signals, so the GUI thread only appends text and updates labels. Stop is
cooperative: `worker.quit()` makes the core's `should_stop` true and the partial reply is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from agent_core.agent import AgentEvent, ChatAgent, TurnResult
from ui_patterns.chat.turn import TurnWidget
from ui_patterns.common import GeneratorWorker, LabContext, run_generator

Finished = Callable[[TurnWidget, TurnResult], None]


class ChatRunner(QObject):
    turn_finished = Signal(object)  # TurnResult (also when it ended in an error or a stop)
    idle = Signal()

    def __init__(self, ctx: LabContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.turn: TurnWidget | None = None
        self.conversation_id: str | None = None
        self.worker: GeneratorWorker | None = None
        self._done: tuple[TurnResult, str] | None = None
        self._then: Finished | None = None

    @property
    def running(self) -> bool:
        return self.worker is not None

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
        agent = ChatAgent(self.ctx.lab, self.ctx.profile, memory_mode=memory_mode)
        self.turn, self.conversation_id, self._done, self._then = turn, conversation_id, None, then
        turn.begin(stream)

        def factory(should_stop: Callable[[], bool]) -> object:
            return agent.run_turn(
                conversation_id,
                text,
                stream=stream,
                should_stop=should_stop,
                branch_of=branch_of,
                existing_user_message=existing_user_message,
            )

        self.worker = run_generator(factory, self._on_event, self._on_returned, self._on_failed)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.quit()

    def _on_event(self, ev: object) -> None:
        if not isinstance(ev, AgentEvent) or self.turn is None:
            return
        if ev.kind == "done":
            self._done = (ev.data["result"], ev.data["status"])
        else:
            self.turn.on_event(ev)

    def _on_returned(self, _value: object) -> None:
        turn, done = self.turn, self._done
        if turn is not None and done is not None:
            turn.finish(*done)
        self._end(done[0] if done else TurnResult(error="the turn ended without a result"))

    def _on_failed(self, message: str) -> None:
        if self.turn is not None:
            self.turn.show_error(message)
        self._end(TurnResult(error=message, user_message_id=self.turn.user_message_id if self.turn else ""))

    def _end(self, result: TurnResult) -> None:
        turn, then = self.turn, self._then
        self.worker, self.turn, self._then = None, None, None
        if then is not None and turn is not None:
            then(turn, result)
        self.turn_finished.emit(result)
        self.idle.emit()
