"""The Qt face of the ambient hub: runs go to the agent engine, answers and reads stay here.

Each agent has its own engine lane, so an agent's runs stay ordered while agents run side by
side; in the desktop app the engine is a child process, so their Python never competes with the
GUI thread for the GIL. Hub events arrive on engine threads and leave as queued signals; inbox
changes are coalesced so a burst of items costs the GUI one refresh.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from agent_core.ambient import AmbientAgent, AmbientHub, Event, EventStream, InboxItem, items_per_window
from agent_core.engine import Engine, LocalEngine
from agent_core.lab import Lab

HUB_FACTORY = "agent_core.ambient.hub:hub_service"


class AmbientController(QObject):
    agent_status = Signal(str, str)  # agent, status
    run_changed = Signal(str, str)  # run id, status
    inbox_changed = Signal()  # coalesced: at most every `coalesce_ms`
    job_failed = Signal(str, str)  # agent, message
    delivered = Signal(int)  # events delivered so far
    _inbox_ping = Signal()

    def __init__(
        self,
        lab: Lab,
        agents: list[AmbientAgent],
        events: list[Event] | None = None,
        parent: QObject | None = None,
        coalesce_ms: int = 200,
        *,
        engine: Engine | None = None,
    ) -> None:
        super().__init__(parent)
        self.hub = AmbientHub(lab, agents)  # reads and answers; runs happen in the engine's hub
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
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self._flush)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._poll_stream)
        self._inbox_ping.connect(self._schedule_flush)
        self.hub.inbox.listeners.append(self._on_inbox)
        self._engine.listeners.append(self._on_engine)
        self._track(self._agents[0], self._engine.open(self._service, HUB_FACTORY, self._service, agents))

    # -- life cycle -------------------------------------------------------------------------------
    def start(self, recover: bool = True) -> None:
        self._started = True
        if recover:
            self._call(self._agents[0], "recover")  # touches every agent: on the first one's lane
        self._tick.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Skip queued work, let running steps reach their next wait, then detach."""
        self._tick.stop()
        if self._started:
            self._engine.call(self._service, "close", lane="")
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

    def _call(self, agent: str, method: str, *args: object) -> None:
        self._track(agent, self._engine.call(self._service, method, *args, lane=agent))

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
        return self.pending() == 0 and all(s != "running" for s in self._status.values())

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
                self._call(agent.name, "process", agent.name, event)

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
    def answer(self, item_id: str, response: dict) -> None:
        """Validate and store the answer now (errors surface at once), resume the run in the engine."""
        item = self.hub.record_answer(item_id, response)
        self._call(item.agent, "continue_run", item.run_id)

    def mark_read(self, item_id: str) -> None:
        self.hub.inbox.mark_read(item_id)

    def pause(self, agent: str) -> None:
        """Takes effect at the agent's next step boundary (sent past the agent's queued work)."""
        self._track(agent, self._engine.call(self._service, "pause", agent, lane=""))

    def resume(self, agent: str) -> None:
        self._call(agent, "resume", agent)

    def rewind(self, run_id: str, agent: str, seq: int, output: object, instruction: str) -> None:
        self._call(agent, "rewind_and_continue", run_id, agent, seq, output, instruction)

    def items(self, agent: str | None = None, limit: int | None = None) -> list[InboxItem]:
        return self.hub.inbox.items(agent=agent, limit=limit)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Pending and unread items per agent."""
        return self.hub.inbox.counts()

    def quiet_windows(self, agent: str, window: int = 20) -> list[int]:
        return items_per_window(self.hub.lab.engine, agent, window)
