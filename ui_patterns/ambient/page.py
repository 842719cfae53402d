"""AmbientPage: agents live in the background; the person works through the agent inbox.

Left: agents with status and pause/resume, the event stream speed, the quieter-over-time chart.
Centre: the inbox and the selected item. Right: the run timeline with rewind-and-correct.
"""

from __future__ import annotations

import contextlib
import time

from PySide6.QtCore import QModelIndex, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent_core.ambient import AmbientAgent, AskRate, CalendarSource, EmailSource, Event, InboxItem
from agent_core.ambient.events import merged
from agent_core.runtime.runs import Run, Step, load_run
from ui_patterns.ambient.agents_panel import AgentsPanel
from ui_patterns.ambient.answer_bar import AnswerBar, confirmation
from ui_patterns.ambient.controller import AmbientController
from ui_patterns.ambient.inbox_panel import InboxPanel
from ui_patterns.ambient.item_detail import ItemDetail
from ui_patterns.ambient.quiet_chart import QuietChart
from ui_patterns.ambient.rewind_dialog import RewindDialog
from ui_patterns.ambient.timeline import RunTimeline
from ui_patterns.common import LabContext, PatternPage, Reloader


def default_agents(profile: str) -> list[AmbientAgent]:
    """Three agents, each with its own memory profile and update mode."""
    return [
        AmbientAgent("triage", "triage", f"{profile}.triage", "hot_path"),
        AmbientAgent("scheduler", "scheduler", f"{profile}.scheduler", "background"),
        AmbientAgent("researcher", "researcher", f"{profile}.researcher", "hot_path"),
    ]


INBOX_PAGE = 300  # items listed at once: the most urgent; counts still cover every pending item


class AmbientPage(PatternPage):
    title = "Ambient"
    subtitle = "Agents work in the background; you answer them in the inbox"

    def __init__(
        self,
        ctx: LabContext,
        parent: QWidget | None = None,
        *,
        agents: list[AmbientAgent] | None = None,
        events: list[Event] | None = None,
        autostart: bool = True,
    ) -> None:
        super().__init__(ctx, parent)
        self.agents = agents or default_agents(ctx.profile)
        stream = events if events is not None else merged([EmailSource(), CalendarSource()])
        self.controller = AmbientController(ctx.lab, self.agents, stream, self, engine=ctx.engine)
        self.agents_panel = AgentsPanel(self.agents)
        self.inbox = InboxPanel([a.name for a in self.agents])
        self.detail = ItemDetail()
        self.detail.setVisible(False)  # until the inbox lists an item: not built into the first frame
        self.timeline = RunTimeline()
        self.answer_bar = AnswerBar()
        self.chart = QuietChart()
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, 50)
        self.speed.setValue(2)
        self.speed_label = QLabel()
        self.play = QPushButton("Start event stream")
        self.play.setCheckable(True)
        self.stream_label = QLabel(f"0 / {len(stream)} events delivered")
        self.rewind_dialog: RewindDialog | None = None
        self._reselect = ""  # an item whose answer was taken back: select it when it is listed again
        self._gone: set[str] = set()  # answered here; hidden even from loads that started earlier
        self._refused: InboxItem | None = None  # its answer was refused: shown until another is picked
        self._applying = False  # the inbox is being refilled: its selection changes are not the person's
        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(1000)
        self._inbox_loader = Reloader(self._load_inbox, self._apply_inbox, self)
        self._chart_loader = Reloader(self._load_chart, self._apply_chart, self)
        self._runs_loader = Reloader(self._load_runs, self._apply_runs, self)
        self._steps_loader = Reloader(self._load_steps, self._apply_steps, self)
        self._chart_timer.timeout.connect(self._chart_loader.request)
        self._runs_stale = True
        self._build()
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(300)
        self._refresh.timeout.connect(self._request_runs)
        c = self.controller
        c.agent_status.connect(self._on_status)
        c.inbox_changed.connect(self._inbox_loader.request)
        c.run_changed.connect(self._on_run_changed)
        c.job_failed.connect(self._on_job_failed)
        c.delivered.connect(self._on_delivered)
        ctx.step_event.connect(self._on_step_event)
        self.agents_panel.pause_toggled.connect(self._on_pause)
        self.inbox.selected.connect(self._on_selected)
        self.inbox.filter_changed.connect(lambda _a: self.refresh_inbox())
        self.detail.answered.connect(self._on_answered)
        self.answer_bar.undo_clicked.connect(self._on_undo)
        c.answer_committed.connect(self.answer_bar.resumed)
        c.answer_failed.connect(self._on_answer_failed)
        self.timeline.run_selected.connect(self._show_run)
        self.timeline.rewind_requested.connect(self._on_rewind)
        self.speed.valueChanged.connect(self._on_speed)
        self.play.toggled.connect(self._on_play)
        self.tabs.currentChanged.connect(lambda _i: self._runs_stale and self.refresh_runs())
        self._on_speed(self.speed.value())
        self._inbox_loader.request()  # read off the GUI thread: opening the page does not wait on SQLite
        self._chart_loader.request()
        self.refresh_runs()
        if autostart:
            self.controller.start()

    def _build(self) -> None:
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(QLabel("<b>Agents</b>"))
        ll.addWidget(self.agents_panel)
        ll.addWidget(QLabel("<b>Event stream</b>"))
        row = QHBoxLayout()
        row.addWidget(self.play)
        row.addWidget(self.speed_label)
        ll.addLayout(row)
        ll.addWidget(self.speed)
        ll.addWidget(self.stream_label)
        ll.addWidget(self.chart)
        ll.addStretch(1)
        self._split_v = split_v = QSplitter(Qt.Orientation.Vertical)
        split_v.addWidget(self.inbox)
        split_v.addWidget(self.detail)
        split_v.setSizes([300, 400])
        split_v.setChildrenCollapsible(False)
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(split_v, 1)
        cl.addWidget(self.answer_bar)
        self.tabs = QTabWidget()
        self.tabs.addTab(centre, "Inbox")
        self.tabs.addTab(self.timeline, "Run timeline")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([330, 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(split)

    # -- refresh ------------------------------------------------------------------------------------
    # Signals refresh through the Reloaders (queries off the GUI thread); the refresh_* methods
    # below do the same synchronously, for start-up, tests and screenshots.
    @Slot()
    def refresh_inbox(self) -> None:
        self._apply_inbox(self._load_inbox())

    def _load_inbox(self) -> tuple[list[InboxItem], dict[str, tuple[int, int]]]:
        """The most urgent page of the inbox (the filter applied) and every agent's counts."""
        agent = self.inbox.agent_filter or None
        return self.controller.items(agent=agent, limit=INBOX_PAGE), self.controller.counts()

    def _apply_inbox(self, loaded: tuple[list[InboxItem], dict[str, tuple[int, int]]]) -> None:
        """Busier inboxes refresh less often; the chart follows at most once a second."""
        t0 = time.perf_counter()
        listed, counts = loaded
        # a load that began before an answer still lists the item: keep it gone until loads agree
        items = [it for it in listed if it.id not in self._gone]
        self._gone &= {it.id for it in listed}
        agent = self.inbox.agent_filter
        shown = [c for a, c in counts.items() if not agent or a == agent]
        self._applying = True
        try:
            self.inbox.set_items(items, sum(u for _p, u in shown), sum(p for p, _u in shown))
            if self._reselect and self.inbox.select_id(self._reselect):
                self._reselect = ""
                self._refused = None  # listed again: selected there, its error still shown
        finally:
            self._applying = False
        show = bool(items) or self.detail.item is not None
        if show != self.detail.isVisibleTo(self):  # an empty inbox has nothing to detail
            self.detail.setVisible(show)
            if show:
                self._split_v.setSizes([3000, 4000])  # the splitter scales these to fit
        self.agents_panel.set_unread({a: u for a, (_p, u) in counts.items()})
        if not self._chart_timer.isActive():
            self._chart_timer.start()
        cost_ms = (time.perf_counter() - t0) * 1000
        self.controller.set_coalesce_ms(int(min(2000, max(200, 8 * cost_ms))))

    @Slot()
    def refresh_chart(self) -> None:
        self._apply_chart(self._load_chart())

    def _load_chart(self) -> tuple[str, AskRate]:
        agent = self.inbox.agent_filter or self.agents[0].name
        return agent, self.controller.ask_rate(agent)

    def _apply_chart(self, loaded: tuple[str, AskRate]) -> None:
        agent, rate = loaded
        self.chart.set_rate(agent, rate, paused=self.controller.status(agent) == "paused")

    @Slot()
    def refresh_runs(self) -> None:
        if self._request_runs(sync=True):
            self._apply_runs(self._load_runs())

    def _request_runs(self, sync: bool = False) -> bool:
        if not self.timeline.isVisible():
            self._runs_stale = True
            return False
        self._runs_stale = False
        if not sync:
            self._runs_loader.request()
        return True

    def _load_runs(self) -> tuple[list[Run], dict[str, str]]:
        hub = self.controller.hub
        runs = hub.runs(limit=200)
        return runs, hub.corrections([r.id for r in runs if r.parent_run_id])

    def _apply_runs(self, loaded: tuple[list[Run], dict[str, str]]) -> None:
        self.timeline.set_runs(*loaded)
        if self.timeline.current_run:
            self._show_run(self.timeline.current_run)

    @Slot(str)
    def _show_run(self, run_id: str) -> None:
        self._steps_loader.request()

    def show_run_now(self, run_id: str) -> None:
        """Synchronously, for tests and screenshots."""
        self.timeline.select_run(run_id)
        self._apply_steps(self._load_steps())

    def _load_steps(self) -> tuple[str, tuple[Run, list[Step]] | None]:
        run_id = self.timeline.current_run or ""
        return run_id, load_run(self.ctx.lab.engine, run_id) if run_id else None

    def _apply_steps(self, loaded: tuple[str, tuple[Run, list[Step]] | None]) -> None:
        run_id, run = loaded
        if run is not None and run_id == self.timeline.current_run:
            self.timeline.set_steps(*run)

    # -- signals from the controller ----------------------------------------------------------------
    @Slot(str, str)
    def _on_status(self, agent: str, status: str) -> None:
        self.agents_panel.set_status(agent, status)
        if agent == self.chart.agent and (status == "paused") != self.chart.paused:
            self._chart_loader.request()

    @Slot(str, str)
    def _on_run_changed(self, run_id: str, status: str) -> None:
        if not self._refresh.isActive():
            self._refresh.start()

    @Slot(str, object)
    def _on_step_event(self, event: str, step: object) -> None:
        if getattr(step, "run_id", None) == self.timeline.current_run and not self._refresh.isActive():
            self._refresh.start()

    @Slot(str, str)
    def _on_job_failed(self, agent: str, message: str) -> None:
        self.agents_panel.set_status(agent, "error")
        self.agents_panel.setToolTip(f"{agent}: {message}")

    @Slot(int)
    def _on_delivered(self, n: int) -> None:
        self.stream_label.setText(f"{n} / {n + self.controller.stream.remaining} events delivered")

    # -- the person's actions ----------------------------------------------------------------------
    @Slot(str, bool)
    def _on_pause(self, agent: str, pause: bool) -> None:
        if pause:
            self.controller.pause(agent)
        else:
            self.controller.resume(agent)

    @Slot(object)
    def _on_selected(self, item: InboxItem | None) -> None:
        if self._refused is not None:
            if self._applying:
                return  # a refresh moved the selection: keep the refused item and its error in view
            self._refused = None
        self.detail.show_item(item)
        if item is not None and not item.read:
            self.controller.mark_read(item)

    @Slot(str, dict)
    def _on_answered(self, item_id: str, response: dict) -> None:
        """Confirm with Undo, and go straight on to the next item (the engine stores the answer)."""
        item = self.detail.item
        if item is None or item.id != item_id:
            return
        try:
            self.controller.answer(item, response)
        except ValueError as exc:
            self.detail.show_error(str(exc))
            return
        self.answer_bar.answered(item_id, confirmation(response, item.agent))
        self._gone.add(item_id)
        if self.inbox.remove_and_advance(item_id) is None:
            self.detail.show_item(None)
        self._inbox_loader.request()

    @Slot(str)
    def _on_undo(self, item_id: str) -> None:
        item = self.controller.undo(item_id)
        if item is None:
            self.answer_bar.note("Too late to undo: the agent already resumed with your answer.")
            return
        self.answer_bar.note(f"Answer taken back · “{item.title}” is back in the inbox.")
        self._reselect = item_id
        self._gone.discard(item_id)
        self._inbox_loader.request()

    @Slot(object, str)
    def _on_answer_failed(self, item: InboxItem, message: str) -> None:
        """The engine refused an answer: the item is back in the detail, with the reason."""
        self.answer_bar.note(f"Not sent to {item.agent}: {message}")
        self._gone.discard(item.id)
        self._reselect = item.id  # if it is listed again (still pending), select it there
        self.inbox.view.clearSelection()
        self.inbox.view.setCurrentIndex(QModelIndex())  # clicking the next item again shows it
        self.detail.show_item(item)
        self.detail.show_error(message)
        self._refused = item
        self._inbox_loader.request()

    @Slot(str, int)
    def _on_rewind(self, run_id: str, seq: int) -> None:
        run, steps = self.timeline.run, self.timeline.shown_steps
        step = next((s for s in steps if s.seq == seq), None)
        if run is None or run.id != run_id or step is None:
            return
        dlg = RewindDialog(step, [s for s in steps if s.seq > seq], self)
        dlg.accepted.connect(lambda: self.controller.rewind(run_id, run.agent, seq, *dlg.correction()))
        dlg.finished.connect(dlg.deleteLater)
        self.rewind_dialog = dlg
        dlg.open()  # window-modal, never a nested event loop

    @Slot(int)
    def _on_speed(self, value: int) -> None:
        self.speed_label.setText(f"{value} events/s")
        if self.play.isChecked():
            self.controller.set_rate(float(value))

    @Slot(bool)
    def _on_play(self, on: bool) -> None:
        self.play.setText("Pause event stream" if on else "Start event stream")
        self.controller.set_rate(float(self.speed.value()) if on else 0.0)

    def shutdown(self) -> None:
        for loader in (self._inbox_loader, self._chart_loader, self._runs_loader, self._steps_loader):
            loader.close()
        self.controller.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self.ctx.step_event.disconnect(self._on_step_event)
