"""The Qt face of the ambient hub: one worker per agent, the event stream timer, coalesced signals.

Each agent owns a job queue drained by its own pool thread, so an agent's runs stay ordered while
agents run side by side and the GUI thread only paints. Hub listeners fire on worker threads; the
signals they emit arrive queued on the GUI thread.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from agent_core.ambient import AmbientAgent, AmbientHub, Event, EventStream, InboxItem, items_per_window
from agent_core.lab import Lab
from ui_patterns.common.workers import GeneratorWorker, start

Job = Callable[[], object]


class AmbientController(QObject):
    agent_status = Signal(str, str)  # agent, status
    run_changed = Signal(str, str)  # run id, status
    inbox_changed = Signal()  # coalesced: at most every `coalesce_ms`
    job_failed = Signal(str, str)  # agent, message
    delivered = Signal(int)  # events delivered so far

    def __init__(
        self,
        lab: Lab,
        agents: list[AmbientAgent],
        events: list[Event] | None = None,
        parent: QObject | None = None,
        coalesce_ms: int = 200,
    ) -> None:
        super().__init__(parent)
        self.hub = AmbientHub(lab, agents)
        self.stream = EventStream(events or [], lab.clock, rate=0.0)
        self._queues: dict[str, queue.Queue[Job]] = {a.name: queue.Queue() for a in agents}
        self._workers: list[GeneratorWorker] = []
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(len(agents) + 1)
        self._dirty = False
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self._flush)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._poll_stream)
        self.hub.listeners.append(self._on_hub)
        self.hub.inbox.listeners.append(self._on_inbox)
        self._inbox_ping.connect(self._schedule_flush)

    _inbox_ping = Signal()

    # -- life cycle -------------------------------------------------------------------------------
    def start(self, recover: bool = True) -> None:
        for name, q in self._queues.items():
            w = GeneratorWorker(lambda stop, q=q, name=name: self._drain(name, q, stop))
            self._workers.append(start(w, self._pool))
        if recover:
            self.submit_all(self.hub.recover)
        self._tick.start()

    def stop(self) -> None:
        self._tick.stop()
        for w in self._workers:
            w.quit()
        self._pool.waitForDone(10000)
        self._workers.clear()
        for cb, lst in ((self._on_hub, self.hub.listeners), (self._on_inbox, self.hub.inbox.listeners)):
            if cb in lst:
                lst.remove(cb)

    def _drain(self, agent: str, q: queue.Queue[Job], should_stop: Callable[[], bool]) -> Iterator[None]:
        while not should_stop():
            try:
                job = q.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - shown on the agent row, the loop goes on
                self.job_failed.emit(agent, f"{type(exc).__name__}: {exc}")
            yield None

    def submit(self, agent: str, job: Job) -> None:
        self._queues[agent].put(job)

    def submit_all(self, job: Job) -> None:
        """A job touching every agent runs on the first agent's thread (recovery)."""
        first = next(iter(self._queues))
        self.submit(first, job)

    def idle(self) -> bool:
        return all(q.empty() for q in self._queues.values()) and all(
            s != "running" for s in (self.hub.status(a) for a in self._queues)
        )

    # -- listeners (any thread) --------------------------------------------------------------------
    def _on_hub(self, what: str, key: str, value: str) -> None:
        if what == "status":
            self.agent_status.emit(key, value)
        else:
            self.run_changed.emit(key, value)

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
                self.submit(agent.name, lambda a=agent.name, e=event: self.hub.process(a, e))

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
        """Validate and store the answer now (errors surface at once), resume the run off-thread."""
        item = self.hub.record_answer(item_id, response)
        self.submit(item.agent, lambda: self.hub.continue_run(item.run_id))

    def mark_read(self, item_id: str) -> None:
        self.hub.inbox.mark_read(item_id)

    def pause(self, agent: str) -> None:
        self.hub.pause(agent)

    def resume(self, agent: str) -> None:
        self.submit(agent, lambda: self.hub.resume(agent))

    def rewind(self, run_id: str, agent: str, seq: int, output: object, instruction: str) -> None:
        def job() -> None:
            fork = self.hub.rewind(run_id, seq, output=output, instruction=instruction)
            if not self.hub.is_paused(agent):
                self.hub.continue_run(fork)

        self.submit(agent, job)

    def items(self, agent: str | None = None) -> list[InboxItem]:
        return self.hub.inbox.items(agent=agent)

    def quiet_windows(self, agent: str, window: int = 20) -> list[int]:
        return items_per_window(self.hub.lab.engine, agent, window)
