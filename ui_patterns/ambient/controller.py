"""The Qt face of the ambient hub: runs and the person's writes go to the agent engine, reads stay here.

Each agent has its own engine lane, so an agent's runs stay ordered while agents run side by
side; in the desktop app the engine is a child process, so their Python never competes with the
GUI thread for the GIL. Answers, undos and read marks are written by the engine's hub too (issues
16 and 19: the GUI thread never waits on SQLite's write lock); answers and undos share one ordered
lane, so an undo lands after its answer without queueing behind an agent's runs. Hub events arrive
on engine threads and leave as queued signals; inbox changes are coalesced so a burst of items
costs the GUI one refresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVarTuple

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from agent_core.ambient import AmbientAgent, AmbientHub, AskRate, Event, EventStream, InboxItem, ask_rate
from agent_core.ambient.hub import check_answer, hub_service
from agent_core.lab import Lab
from agent_core.runtime.engine import Engine, LocalEngine, Service

Ts = TypeVarTuple("Ts")

UNDO_MS = 5000  # how long an answer waits before its run resumes, so it can be taken back


class AmbientController(QObject):
    agent_status = Signal(str, str)  # agent, status
    run_changed = Signal(str, str)  # run id, status
    inbox_changed = Signal()  # coalesced: at most every `coalesce_ms`
    job_failed = Signal(str, str)  # agent, message
    delivered = Signal(int)  # events delivered so far
    answer_committed = Signal(str)  # item id: its undo window closed, the run resumes with it
    answer_failed = Signal(object, str)  # InboxItem, message: the engine refused the answer
    _inbox_ping = Signal()
    _refused = Signal(object, str)  # InboxItem, message (from an engine thread)

    def __init__(
        self,
        lab: Lab,
        agents: list[AmbientAgent],
        events: list[Event] | None = None,
        parent: QObject | None = None,
        coalesce_ms: int = 200,
        *,
        engine: Engine | None = None,
        undo_ms: int = UNDO_MS,
    ) -> None:
        super().__init__(parent)
        self.hub = AmbientHub(lab, agents)  # reads only: runs and writes happen in the engine's hub
        self.stream = EventStream(events or [], lab.clock, rate=0.0)
        self._own_engine = engine is None
        self._engine: Engine = engine if engine is not None else LocalEngine(lab)
        self._service = f"ambient-{id(self):x}"
        self._agents = [a.name for a in agents]
        self._status = dict.fromkeys(self._agents, "idle")
        self._lock = threading.Lock()
        self._outstanding = 0
        self._started = False
        self._dirty = False
        self.undo_ms = undo_ms
        self._held: dict[str, tuple[QTimer, InboxItem, Future]] = {}  # answered; runs not resumed yet
        self._answers = f"{self._service}:answers"  # the ordered lane of answers and their undos
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self._flush)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._poll_stream)
        self._inbox_ping.connect(self._schedule_flush)
        self._refused.connect(self._on_refused)
        self.hub.inbox.listeners.append(self._on_inbox)
        self._engine.listeners.append(self._on_engine)
        self._hub = Service.open(self._engine, self._service, hub_service, self._service, agents)
        self._track(self._agents[0], self._hub.opened)

    # -- life cycle -------------------------------------------------------------------------------
    def start(self, recover: bool = True) -> None:
        self._started = True
        if recover:
            self._call(self._agents[0], AmbientHub.recover)  # touches every agent: on the first one's lane
        self._tick.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Send held answers on, skip queued work, let running steps reach their next wait, detach."""
        self._tick.stop()
        for item_id in list(self._held):
            self._commit(item_id)
        if self._started:
            self._hub.call(AmbientHub.close, lane="")
            deadline = time.monotonic() + timeout_s
            while self.pending() and time.monotonic() < deadline:
                time.sleep(0.01)
        self._started = False
        if self._on_engine in self._engine.listeners:
            self._engine.listeners.remove(self._on_engine)
        if self._on_inbox in self.hub.inbox.listeners:
            self.hub.inbox.listeners.remove(self._on_inbox)
        if self._own_engine:
            self._engine.close()

    def _call(self, agent: str, method: Callable[[AmbientHub, *Ts], object], *args: *Ts) -> None:
        self._track(agent, self._hub.call(method, *args, lane=agent))

    def _track(self, agent: str, future: Future) -> None:
        with self._lock:
            self._outstanding += 1
        future.add_done_callback(lambda f, a=agent: self._settled(a, f))

    def _settled(self, agent: str, future: Future) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self.job_failed.emit(agent, f"{type(exc).__name__}: {exc}")
        with self._lock:
            self._outstanding -= 1

    def pending(self) -> int:
        """Calls sent to the engine and not yet finished."""
        with self._lock:
            return self._outstanding

    def status(self, agent: str) -> str:
        return self._status[agent]

    def idle(self) -> bool:
        """Nothing sent and unfinished, no answer held for undo, no agent running."""
        return self.pending() == 0 and not self._held and all(s != "running" for s in self._status.values())

    # -- listeners (any thread) --------------------------------------------------------------------
    def _on_engine(self, kind: str, payload: object) -> None:
        if kind != self._service:
            return
        what, key, value = payload  # type: ignore[misc]
        if what == "status":
            self._status[key] = value
            self.agent_status.emit(key, value)
        elif what == "run":
            self.run_changed.emit(key, value)
        else:
            self._inbox_ping.emit()

    def _on_inbox(self, event: str, item: InboxItem) -> None:
        self._inbox_ping.emit()

    @Slot()
    def _schedule_flush(self) -> None:
        self._dirty = True
        if not self._coalesce.isActive():
            self._coalesce.start()

    @Slot()
    def _flush(self) -> None:
        if self._dirty:
            self._dirty = False
            self.inbox_changed.emit()

    def set_coalesce_ms(self, ms: int) -> None:
        """Keep refreshing from eating the GUI thread: the page sets this from its refresh cost."""
        self._coalesce.setInterval(ms)

    # -- events -----------------------------------------------------------------------------------
    def deliver(self, event: Event) -> None:
        for agent in self.hub.agents.values():
            if agent.accepts(event):
                self._call(agent.name, AmbientHub.process, agent.name, event)

    def set_rate(self, events_per_s: float) -> None:
        self.stream.set_rate(events_per_s)

    @Slot()
    def _poll_stream(self) -> None:
        events = self.stream.poll()
        for e in events:
            self.deliver(e)
        if events:
            self.delivered.emit(self.stream.delivered)

    # -- the person's side --------------------------------------------------------------------------
    def answer(self, item: InboxItem, response: dict) -> Future[InboxItem]:
        """Check the answer against `item` now (ValueError at once), and have the engine store it;
        if the engine refuses, `answer_failed` says why. The run resumes with it after `undo_ms`,
        until then `undo` takes it back. A restart meanwhile resumes it too."""
        response = check_answer(item, response)
        future = self._hub.call(AmbientHub.record_answer, item.id, response, lane=self._answers)
        with self._lock:
            self._outstanding += 1
        future.add_done_callback(lambda f, i=item: self._recorded(i, f))
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(self.undo_ms)
        timer.timeout.connect(lambda: self._commit(item.id))
        self._held[item.id] = (timer, item, future)
        timer.start()
        return future

    def _recorded(self, item: InboxItem, future: Future) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._refused.emit(item, str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))
        with self._lock:
            self._outstanding -= 1

    @Slot(object, str)
    def _on_refused(self, item: InboxItem, message: str) -> None:
        """Nothing to undo or resume (its window may have closed already: the run is not sent on)."""
        held = self._held.pop(item.id, None)
        if held is not None:
            held[0].stop()
            held[0].deleteLater()
        self.answer_failed.emit(item, message)

    def can_undo(self, item_id: str) -> bool:
        return item_id in self._held

    def undo(self, item_id: str) -> InboxItem | None:
        """Take an answer back (the engine reopens the item, after the answer's write); None once its
        run has resumed. Returns the item as it was answered."""
        held = self._held.pop(item_id, None)
        if held is None:
            return None
        timer, item, _future = held
        timer.stop()
        timer.deleteLater()
        self._track(item.agent, self._hub.call(AmbientHub.retract_answer, item_id, lane=self._answers))
        return item

    @Slot()
    def _commit(self, item_id: str) -> None:
        held = self._held.pop(item_id, None)
        if held is None:
            return
        timer, item, future = held
        timer.deleteLater()
        with self._lock:
            self._outstanding += 1  # until the run is sent on, once the answer is stored

        def resume(f: Future) -> None:
            try:
                if not f.cancelled() and f.exception() is None:
                    self._call(item.agent, AmbientHub.continue_run, item.run_id)
            finally:
                with self._lock:
                    self._outstanding -= 1

        future.add_done_callback(resume)
        if not (future.done() and (future.cancelled() or future.exception() is not None)):
            self.answer_committed.emit(item_id)

    def mark_read(self, item: InboxItem) -> None:
        self._track(item.agent, self._hub.call(AmbientHub.mark_read, item.id))

    def pause(self, agent: str) -> None:
        """Takes effect at the agent's next step boundary (sent past the agent's queued work)."""
        self._track(agent, self._hub.call(AmbientHub.pause, agent, lane=""))

    def resume(self, agent: str) -> None:
        self._call(agent, AmbientHub.resume, agent)

    def rewind(self, run_id: str, agent: str, seq: int, output: object, instruction: str) -> None:
        self._call(agent, AmbientHub.rewind_and_continue, run_id, agent, seq, output, instruction)

    def items(self, agent: str | None = None, limit: int | None = None) -> list[InboxItem]:
        return self.hub.inbox.items(agent=agent, limit=limit)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Pending and unread items per agent."""
        return self.hub.inbox.counts()

    def ask_rate(self, agent: str, window: int = 20) -> AskRate:
        """Asks per handled event, with the events a pause holds apart (see `ask_rate`)."""
        return ask_rate(self.hub.lab.engine, agent, window)
