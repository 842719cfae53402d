"""The trace viewer: every run, its steps, and each step's input/output, live as the agent works.

It listens to `ctx.step_event` and refreshes on a short debounce, because a streaming turn emits
many step events per second and the list only needs to look current, not repaint on each one.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_core.runs import Step, export_run, list_runs, load_run
from desktop.theme import icon
from desktop.traces_model import (
    KIND_COLORS,
    RUN_KINDS,
    RunId,
    RunListModel,
    describe,
    details_json,
    dot_icon,
    tokens_text,
)
from ui_patterns.common import LabContext, PatternPage

EMPTY_RUNS = "No runs yet.\nSend a chat message or run a pattern,\nand its trace appears here live."
EMPTY_STEPS = "Select a run to see its steps."
EMPTY_DETAILS = "Select a step to see its input and output."
StepIdRole = Qt.ItemDataRole.UserRole + 2


class TraceViewer(PatternPage):
    title = "Traces"
    subtitle = "Every LLM call, tool call and memory read/write, as it happened."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._steps: dict[str, Step] = {}
        self._shown_run: str | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh)
        self._build()
        ctx.step_event.connect(self._on_step_event)
        self.refresh()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 16)
        lay.setSpacing(8)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        t = QLabel(self.title)
        t.setProperty("role", "title")
        sub = QLabel(self.subtitle)
        sub.setProperty("role", "subtitle")
        titles.addWidget(t)
        titles.addWidget(sub)
        head.addLayout(titles, 1)
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Filter runs by kind")
        self.kind_filter.addItem("All kinds", "")
        for k in RUN_KINDS:
            self.kind_filter.addItem(k, k)
        self.kind_filter.currentIndexChanged.connect(self._on_filter)
        self.export_button = QPushButton(icon("export"), "Export JSON…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export)
        head.addWidget(self.kind_filter, 0, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(head)

        self.runs_model = RunListModel(self)
        self.run_list = QListView()
        self.run_list.setModel(self.runs_model)
        self.run_list.setAccessibleName("Runs")
        self.run_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.run_list.selectionModel().selectionChanged.connect(self._on_run_selected)
        self.runs_empty = self._empty_label(EMPTY_RUNS)
        self.runs_stack = self._stack(self.run_list, self.runs_empty)

        self.step_tree = QTreeWidget()
        self.step_tree.setAccessibleName("Steps")
        self.step_tree.setHeaderLabels(["Step", "Status", "Latency ms", "Tokens"])
        self.step_tree.setRootIsDecorated(True)
        self.step_tree.setUniformRowHeights(True)
        header = self.step_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.step_tree.currentItemChanged.connect(self._on_step_selected)
        self.steps_empty = self._empty_label(EMPTY_STEPS)
        self.steps_stack = self._stack(self.step_tree, self.steps_empty)

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
    @Slot()
    def refresh(self) -> None:
        """Reload runs (cheap indexed query), keeping the selected run and step."""
        keep = self.selected_run_id()
        kind = self.kind_filter.currentData() or None
        runs = list_runs(self.ctx.lab.engine, kind=kind)
        self.runs_model.set_runs(runs)
        self.runs_stack.setCurrentWidget(self.run_list if runs else self.runs_empty)
        row = self.runs_model.row_of(keep) if keep else -1
        if row >= 0:
            self.run_list.setCurrentIndex(self.runs_model.index(row))
        self._show_run(keep if row >= 0 else None)

    def selected_run_id(self) -> str | None:
        idx = self.run_list.currentIndex()
        return idx.data(RunId) if idx.isValid() else None

    def select_run(self, run_id: str) -> bool:
        row = self.runs_model.row_of(run_id)
        if row < 0:
            return False
        self.run_list.setCurrentIndex(self.runs_model.index(row))
        return True

    def focus_latest(self) -> None:
        """Select the newest chat run and its most telling step: a recall, else the first LLM call."""
        rows = range(self.runs_model.rowCount())
        row = next((r for r in rows if (run := self.runs_model.run_at(r)) and run.kind == "chat"), 0)
        if self.runs_model.rowCount() == 0:
            return
        self.run_list.setCurrentIndex(self.runs_model.index(row))
        items = [self.step_tree.topLevelItem(i) for i in range(self.step_tree.topLevelItemCount())]
        kinds = [self._steps[it.data(0, StepIdRole)].kind for it in items]
        for wanted in ("memory_read", "llm_call"):
            if wanted in kinds:
                self.step_tree.setCurrentItem(items[kinds.index(wanted)])
                return

    def _show_run(self, run_id: str | None) -> None:
        self.export_button.setEnabled(run_id is not None)
        keep_step = self.step_tree.currentItem().data(0, StepIdRole) if self.step_tree.currentItem() else None
        self.step_tree.clear()
        self._steps.clear()
        self._shown_run = run_id
        loaded = load_run(self.ctx.lab.engine, run_id) if run_id else None
        if loaded is None:
            self.steps_empty.setText(EMPTY_STEPS)
            self.steps_stack.setCurrentWidget(self.steps_empty)
            self._show_step(None)
            return
        _run, steps = loaded
        items: dict[str, QTreeWidgetItem] = {}
        for st in steps:
            self._steps[st.id] = st
            item = QTreeWidgetItem(
                [
                    f"{st.kind} · {st.name}" if st.name else st.kind,
                    st.status,
                    f"{st.latency_ms:.1f}",
                    tokens_text(st),
                ]
            )
            item.setIcon(0, dot_icon(KIND_COLORS.get(st.kind, "#9e9e9e")))
            item.setData(0, StepIdRole, st.id)
            item.setToolTip(0, describe(st))
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
        if keep_step in items:
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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.ctx.step_event.disconnect(self._on_step_event)
