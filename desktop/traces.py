"""The trace viewer: every run, its steps, and each step's input/output, live as the agent works.

It listens to `ctx.step_event` and refreshes on a short debounce, because a streaming turn emits
many step events per second and the list only needs to look current, not repaint on each one.
Runs and steps are read on a worker (`Reloader`; the first open with a few hundred runs froze the
GUI ~330 ms when read here), so `loading` is true until what was asked for is on screen. A chat
turn's background memory runs are nested under it, and each step has a bar in a waterfall column.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_core.agui.events import import_events, read_jsonl, run_events, to_jsonl
from agent_core.runtime.runs import Run, Step, export_run, load_run
from desktop.theme import icon
from desktop.traces_model import (
    KIND_COLORS,
    RUN_KINDS,
    RUN_LIMIT,
    KindRole,
    LatencyRole,
    OffsetRole,
    RunId,
    RunTreeModel,
    WaterfallDelegate,
    aware,
    describe,
    details_json,
    dot_icon,
    load_run_tree,
    tokens_text,
)
from memory.secrets import scrub
from ui_patterns.common import LabContext, PatternPage, Reloader, run_call

EMPTY_RUNS = "No runs yet.\nSend a chat message or run a pattern,\nand its trace appears here live."
LOADING_RUNS = "Loading runs…"
EMPTY_STEPS = "Select a run to see its steps."
LOADING_STEPS = "Loading steps…"
EMPTY_DETAILS = "Select a step to see its input and output."
StepIdRole = Qt.ItemDataRole.UserRole + 2
TIMELINE_COLUMN = 4
COLUMNS = ["Step", "Status", "ms", "Tokens", "Timeline"]


class TraceViewer(PatternPage):
    title = "Traces"
    subtitle = "Every LLM call, tool call and memory read/write, as it happened."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._steps: dict[str, Step] = {}
        self._shown_run: str | None = None
        self._want_run: str | None = None  # select_run() before the list had it: select on arrival
        self._want_focus = False  # focus_latest() before the list (or the run's steps) arrived
        self._listed = False  # the first list has been shown
        self._steps_token = 0  # tags each steps load: a late answer for another run is dropped
        self._steps_busy = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        self._build()
        engine = ctx.lab.engine
        self._lister = Reloader(
            lambda: load_run_tree(engine, self._kind, RUN_LIMIT), self._apply_runs, self, self._list_failed
        )
        ctx.step_event.connect(self._on_step_event)
        self.refresh()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        head = QHBoxLayout()  # the shell draws the title and subtitle above the page
        self.count_label = QLabel(LOADING_RUNS)
        self.count_label.setProperty("role", "hint")
        head.addWidget(self.count_label, 1)
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Filter runs by kind")
        self.kind_filter.addItem("All kinds", "")
        for k in RUN_KINDS:
            self.kind_filter.addItem(k, k)
        self.kind_filter.currentIndexChanged.connect(self._on_filter)
        self._kind: str | None = None
        self.export_button = QPushButton(icon("export"), "Export…")
        self.export_button.setToolTip("Save the selected run as JSON or as an AG-UI event stream (JSONL)")
        self.export_button.setEnabled(False)
        menu = QMenu(self.export_button)
        menu.addAction("Run as JSON…", self._on_export)
        menu.addAction("Run as AG-UI events (JSONL)…", self._on_export_agui)
        self.export_button.setMenu(menu)
        self.import_button = QPushButton("Import AG-UI…")
        self.import_button.setToolTip(
            "Replay an AG-UI recording (JSONL or an SSE capture) from any agent as a run here"
        )
        self.import_button.clicked.connect(self._on_import_agui)
        head.addWidget(self.kind_filter)
        head.addWidget(self.export_button)
        head.addWidget(self.import_button)
        lay.addLayout(head)
        self.notice = QLabel()  # the outcome of an import or export, in the danger colour if it failed
        self.notice.setWordWrap(True)
        self.notice.hide()
        lay.addWidget(self.notice)

        self.runs_model = RunTreeModel(self)
        self.run_list = QTreeView()
        self.run_list.setModel(self.runs_model)
        self.run_list.setAccessibleName("Runs")
        self.run_list.setHeaderHidden(True)
        self.run_list.setUniformRowHeights(True)  # every row is two lines: no per-row measuring
        self.run_list.setIndentation(16)
        self.run_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.run_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.run_list.selectionModel().selectionChanged.connect(self._on_run_selected)
        self.runs_empty = self._empty_label(LOADING_RUNS)
        self.runs_stack = self._stack(self.run_list, self.runs_empty)
        self.runs_stack.setCurrentWidget(self.runs_empty)

        self.step_tree = QTreeWidget()
        self.step_tree.setAccessibleName("Steps")
        self.step_tree.setHeaderLabels(COLUMNS)
        self.step_tree.headerItem().setToolTip(2, "Latency in milliseconds")
        self.step_tree.headerItem().setToolTip(
            TIMELINE_COLUMN, "Waterfall: each step's start within the run, and how long it took"
        )
        self.step_tree.setRootIsDecorated(True)
        self.step_tree.setUniformRowHeights(True)
        self.waterfall = WaterfallDelegate(self.step_tree)
        self.step_tree.setItemDelegateForColumn(TIMELINE_COLUMN, self.waterfall)
        header = self.step_tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TIMELINE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(TIMELINE_COLUMN, 140)
        self.step_tree.currentItemChanged.connect(self._on_step_selected)
        self.steps_empty = self._empty_label(EMPTY_STEPS)
        self.steps_stack = self._stack(self.step_tree, self.steps_empty)
        self.steps_stack.setCurrentWidget(self.steps_empty)

        self.summary = QLabel(EMPTY_DETAILS)
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setProperty("role", "code")
        self.details.setAccessibleName("Step details")
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(8)
        dl.addWidget(self.summary)
        dl.addWidget(self.details, 1)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.steps_stack)
        right.addWidget(detail_box)
        right.setSizes([260, 340])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.runs_stack)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 560])
        lay.addWidget(split, 1)

    def _empty_label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "empty")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def _stack(self, view: QWidget, empty: QLabel) -> QStackedWidget:
        stack = QStackedWidget()
        stack.addWidget(view)
        stack.addWidget(empty)
        return stack

    # -- data -----------------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        """True while runs or the selected run's steps are being read (or are due to be)."""
        return self._lister.busy or self._steps_busy or self._refresh_timer.isActive()

    @Slot()
    def refresh(self) -> None:
        """Reload runs on a worker; the selected run and step are kept when the list arrives."""
        self._refresh_timer.stop()
        self._kind = self.kind_filter.currentData() or None
        if not self._listed:
            self.count_label.setText(LOADING_RUNS)
        self._lister.request()

    def _list_failed(self, message: str) -> None:
        self.count_label.setText(f"Could not read the runs: {message}")
        if not self._listed:
            self.runs_empty.setText(f"Could not read the runs.\n{message}")

    def _apply_runs(self, nodes: object) -> None:
        assert isinstance(nodes, list)
        keep = self._want_run or self.selected_run_id()
        expanded = self._expanded_ids()
        self._listed = True
        sel = self.run_list.selectionModel()
        sel.blockSignals(True)  # the reset clears the selection: restored below without a reload
        self.runs_model.set_nodes(nodes)
        for run_id in expanded:
            self.run_list.setExpanded(self.runs_model.index_of(run_id), True)
        index = self.runs_model.index_of(keep) if keep else QModelIndex()
        if index.isValid():
            self._select_index(index)
        sel.blockSignals(False)
        self.runs_empty.setText(EMPTY_RUNS)
        self.runs_stack.setCurrentWidget(self.run_list if nodes else self.runs_empty)
        shown = sum(1 + len(n.children) for n in nodes)  # type: ignore[attr-defined]
        more = f" (the newest {RUN_LIMIT})" if len(nodes) >= RUN_LIMIT else ""
        self.count_label.setText(f"{shown} runs{more}" if nodes else "")
        if index.isValid() and keep == self._want_run:
            self._want_run = None
        if self._want_focus:
            self._focus_latest_now()
            return
        self._show_run(keep if index.isValid() else None)

    def _expanded_ids(self) -> list[str]:
        m = self.runs_model
        return [
            rid
            for row in range(m.rowCount())
            if self.run_list.isExpanded(idx := m.index(row, 0)) and (rid := idx.data(RunId))
        ]

    def _select_index(self, index: QModelIndex) -> None:
        if index.parent().isValid():
            self.run_list.setExpanded(index.parent(), True)
        self.run_list.setCurrentIndex(index)
        self.run_list.scrollTo(index)

    def selected_run_id(self) -> str | None:
        idx = self.run_list.currentIndex()
        return idx.data(RunId) if idx.isValid() else None

    def select_run(self, run_id: str) -> bool:
        """Select a run (a top-level one or a nested memory run). Returns whether it is listed now;
        if not, it is selected when the next list arrives (a refresh is usually on its way)."""
        index = self.runs_model.index_of(run_id)
        if not index.isValid():
            self._want_run = run_id
            return False
        self._want_run = None
        self._select_index(index)
        return True

    def focus_latest(self) -> None:
        """Select the newest chat run (opened, with its memory runs) and its most telling step: a
        recall, else the first LLM call. Waits for a list or steps that are still loading."""
        self._want_focus = True
        if not self._lister.busy:
            self._focus_latest_now()

    def _focus_latest_now(self) -> None:
        m = self.runs_model
        if m.rowCount() == 0:
            self._want_focus = False
            return
        row = next((r for r in range(m.rowCount()) if (run := m.run_at(r)) and run.kind == "chat"), 0)
        index = m.index(row, 0)
        self.run_list.setExpanded(index, True)
        run_id = index.data(RunId)
        if run_id != self._shown_run or self.selected_run_id() != run_id:
            sel = self.run_list.selectionModel()
            sel.blockSignals(True)
            self._select_index(index)
            sel.blockSignals(False)
            self._show_run(run_id)  # focuses the step when the steps arrive
        else:
            self._focus_step()

    def _focus_step(self) -> None:
        self._want_focus = False
        items = [self.step_tree.topLevelItem(i) for i in range(self.step_tree.topLevelItemCount())]
        kinds = [self._steps[it.data(0, StepIdRole)].kind for it in items]
        for wanted in ("memory_read", "llm_call"):
            if wanted in kinds:
                self.step_tree.setCurrentItem(items[kinds.index(wanted)])
                return

    def _show_run(self, run_id: str | None) -> None:
        """Show a run's steps: read on a worker, the current step kept if it is still there."""
        self.export_button.setEnabled(run_id is not None)
        self._steps_token += 1
        token = self._steps_token
        if run_id is None:
            self._shown_run = None
            self._steps_busy = False
            self.step_tree.clear()
            self._steps.clear()
            self.steps_empty.setText(EMPTY_STEPS)
            self.steps_stack.setCurrentWidget(self.steps_empty)
            self._show_step(None)
            return
        if run_id != self._shown_run:
            self.steps_empty.setText(LOADING_STEPS)
            self.steps_stack.setCurrentWidget(self.steps_empty)
        self._steps_busy = True
        engine = self.ctx.lab.engine

        def apply(loaded: object) -> None:
            if token == self._steps_token:
                self._steps_busy = False
                self._fill_steps(run_id, loaded)  # type: ignore[arg-type]

        def failed(message: str) -> None:
            if token == self._steps_token:
                self._steps_busy = False
                self.steps_empty.setText(f"Could not read this run: {message}")
                self.steps_stack.setCurrentWidget(self.steps_empty)

        run_call(lambda: load_run(engine, run_id), apply, failed)

    def _fill_steps(self, run_id: str, loaded: tuple[Run, list[Step]] | None) -> None:
        same_run = run_id == self._shown_run
        current = self.step_tree.currentItem()
        keep_step = current.data(0, StepIdRole) if current is not None and same_run else None
        self.step_tree.clear()
        self._steps.clear()
        self._shown_run = run_id
        if loaded is None:
            self.steps_empty.setText(EMPTY_STEPS)
            self.steps_stack.setCurrentWidget(self.steps_empty)
            self._show_step(None)
            return
        run, steps = loaded
        began = aware(run.created_at)
        offsets = {st.id: (aware(st.started_at) - began).total_seconds() * 1000 for st in steps}
        ends = [offsets[st.id] + st.latency_ms for st in steps]
        # the run's own span; a step filed after it ended (background memory) sits at the edge
        span = run.latency_ms if run.finished_at else max(ends, default=0.0)
        inside = [e for st, e in zip(steps, ends, strict=True) if offsets[st.id] <= span]
        self.waterfall.span_ms = max([span, *inside, 1.0])
        items: dict[str, QTreeWidgetItem] = {}
        for st in steps:
            self._steps[st.id] = st
            item = QTreeWidgetItem(
                [
                    f"{st.kind} · {st.name}" if st.name else st.kind,
                    st.status,
                    f"{st.latency_ms:.1f}",
                    tokens_text(st),
                    "",
                ]
            )
            item.setIcon(0, dot_icon(KIND_COLORS.get(st.kind, "#9e9e9e")))
            item.setData(0, StepIdRole, st.id)
            item.setToolTip(0, describe(st))
            offset = offsets[st.id]
            item.setData(TIMELINE_COLUMN, OffsetRole, offset)
            item.setData(TIMELINE_COLUMN, LatencyRole, st.latency_ms)
            item.setData(TIMELINE_COLUMN, KindRole, st.kind)
            later = " (after the run ended)" if offset > self.waterfall.span_ms else ""
            item.setToolTip(TIMELINE_COLUMN, f"starts +{offset:.0f} ms{later} · takes {st.latency_ms:.0f} ms")
            for col in (2, 3):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            parent = items.get(st.parent_step_id or "")
            if parent is not None:
                parent.addChild(item)
            else:
                self.step_tree.addTopLevelItem(item)
            items[st.id] = item
        self.step_tree.expandAll()
        if not steps:
            self.steps_empty.setText("This run has no steps yet.")
        self.steps_stack.setCurrentWidget(self.step_tree if steps else self.steps_empty)
        if self._want_focus:
            self._focus_step()
        elif keep_step in items:
            self.step_tree.setCurrentItem(items[keep_step])
        else:
            self._show_step(None)

    def _show_step(self, step: Step | None) -> None:
        if step is None:
            self.summary.setText(EMPTY_DETAILS)
            self.details.clear()
            return
        self.summary.setText(describe(step))
        self.details.setPlainText(details_json(step))

    def export_to(self, path: Path | str, run_id: str | None = None) -> Path:
        """Write the run as JSON via `export_run`, which scrubs secrets a second time."""
        rid = run_id or self.selected_run_id()
        if rid is None:
            raise ValueError("no run selected")
        out = Path(path)
        out.write_text(json.dumps(export_run(self.ctx.lab.engine, rid), indent=2, ensure_ascii=False))
        return out

    def export_agui_to(self, path: Path | str, run_id: str | None = None) -> Path:
        """Write the run as AG-UI events, one JSON object per line (secrets scrubbed again)."""
        rid = run_id or self.selected_run_id()
        if rid is None:
            raise ValueError("no run selected")
        out = Path(path)
        out.write_text(scrub(to_jsonl(run_events(self.ctx.lab.engine, rid))), encoding="utf-8")
        return out

    def import_agui(self, path: Path | str) -> None:
        """Read and file an AG-UI recording on a worker; the new run is selected when it is listed."""
        path = Path(path)
        engine, profile = self.ctx.lab.engine, self.ctx.profile

        def load() -> tuple[str, int]:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read {path.name}: {exc}") from exc
            events = read_jsonl(text)
            if not events:
                raise ValueError(f"{path.name} holds no AG-UI events")
            return import_events(engine, events, profile=profile), len(events)

        self.import_button.setEnabled(False)
        self._say(f"Importing {path.name}…")
        run_call(load, lambda out: self._imported(path, out), lambda msg: self._import_failed(path, msg))

    def _imported(self, path: Path, out: object) -> None:
        run_id, n = out  # type: ignore[misc]
        self.import_button.setEnabled(True)
        self._say(f"Imported {path.name}: {n} events as a run.")
        self.kind_filter.setCurrentIndex(0)  # an imported run may be of a kind the filter hides
        self.refresh()
        self.select_run(run_id)

    def _import_failed(self, path: Path, message: str) -> None:
        self.import_button.setEnabled(True)
        self._say(f"Could not import {path.name}: {message}", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.notice.setProperty("role", "error" if error else "hint")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setText(text)
        self.notice.show()

    # -- handlers -------------------------------------------------------------------------------
    @Slot(str, object)
    def _on_step_event(self, _event: str, _step: object) -> None:
        self._refresh_timer.start()

    @Slot(int)
    def _on_filter(self, _index: int) -> None:
        self.refresh()

    @Slot(QItemSelection, QItemSelection)
    def _on_run_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rid = self.selected_run_id()
        if rid != self._shown_run:
            self._show_run(rid)

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_step_selected(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        self._show_step(self._steps.get(current.data(0, StepIdRole)) if current else None)

    @Slot()
    def _on_export(self) -> None:
        rid = self.selected_run_id()
        if rid is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export run", f"run-{rid[:8]}.json", "JSON (*.json)")
        if path:
            self.export_to(path, rid)
            self._say(f"Saved {Path(path).name}.")

    @Slot()
    def _on_export_agui(self) -> None:
        rid = self.selected_run_id()
        if rid is None:
            return
        name = f"run-{rid[:8]}.agui.jsonl"
        path, _ = QFileDialog.getSaveFileName(self, "Export AG-UI events", name, "AG-UI JSONL (*.jsonl)")
        if path:
            self.export_agui_to(path, rid)
            self._say(f"Saved {Path(path).name} (AG-UI events, one per line).")

    @Slot()
    def _on_import_agui(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import an AG-UI recording",
            "",
            "AG-UI recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)",
        )
        if path:
            self.import_agui(path)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        self._lister.close()
        self._steps_token += 1  # a steps load still running is dropped
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.ctx.step_event.disconnect(self._on_step_event)
