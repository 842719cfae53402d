"""The run timeline: runs with their forks as labelled branches, then the selected run's steps.

Runs sit above steps (not beside them) so both get the tab's full width: at 1024 px a side-by-side
split left each ~250 px and cut titles to "Receipt …". Long names elide and keep the whole text in a
tooltip. A fork is a child row "Fork at step N" with the fork badge; the run it replaced says so.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_core.ambient.durable import INJECTED
from agent_core.runtime.runs import Run, Step
from ui_patterns.ambient.humantime import human_time, iso, stored
from ui_patterns.ambient.style import fork_colour, status_colour, tinted_icon
from ui_patterns.common.lazy import LazyTab

KIND_LABEL = {"llm_call": "LLM call", "tool_call": "tool", "memory_read": "memory read",
              "memory_write": "memory write", "human_input": "your input", "input": "event",
              "output": "outcome", "note": "note"}  # fmt: skip
EMPTY = (
    "<b>No runs yet</b><br>Each event an agent handles becomes a run here: every step with its "
    "timing, and a rewind to any step to correct it. Start the event stream to begin."
)


def latency(ms: float) -> str:
    return "<1 ms" if ms < 1 else f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _cell(text: str, tip: str | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setToolTip(tip or text)
    return cell


class RunTimeline(LazyTab):
    """Runs and their steps; the widgets are built when the tab is first shown (`LazyTab`)."""

    run_selected = Signal(str)
    rewind_requested = Signal(str, int)  # run id, step seq

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_run: str | None = None
        self.run: Run | None = None
        self._steps: list[Step] = []
        self._notes: dict[str, str] = {}

    def _build(self) -> None:
        self.runs = QTreeWidget()
        self.runs.setHeaderLabels(["Run", "Agent", "Status", "Started"])
        self.runs.setUniformRowHeights(True)
        self.runs.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.runs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        head = self.runs.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.steps = QTableWidget(0, 5)
        self.steps.setHorizontalHeaderLabels(["#", "Step", "Name", "Took", "Status"])
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.steps.setWordWrap(False)
        sh = self.steps.horizontalHeader()
        for col in (0, 1, 3, 4):
            sh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        sh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.steps.verticalHeader().setVisible(False)
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rewind_btn = QPushButton("Rewind here and correct…")
        self.rewind_btn.setEnabled(False)
        self.rewind_btn.setToolTip("Fork this run at the selected step; the original stays viewable")
        self.caption = QLabel("Select a run to see its steps.")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.empty = QLabel(EMPTY)
        self.empty.setProperty("role", "empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setContentsMargins(24, 24, 24, 24)
        lower = QWidget()
        rl = QVBoxLayout(lower)
        rl.setContentsMargins(0, 4, 0, 0)
        rl.addWidget(self.caption)
        rl.addWidget(self.steps, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.rewind_btn)
        rl.addLayout(row)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.runs)
        split.addWidget(lower)
        split.setSizes([300, 300])
        split.setChildrenCollapsible(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(split)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.runs.currentItemChanged.connect(self._on_run)
        self.steps.itemSelectionChanged.connect(self._on_step)
        self.rewind_btn.clicked.connect(self._on_rewind)

    # -- runs ---------------------------------------------------------------------------------------
    def set_runs(self, runs: list[Run], corrections: dict[str, str] | None = None) -> None:
        """Roots newest first; each fork nested under the run it came from, labelled and badged
        with the correction it was given."""
        notes = self._notes = corrections or {}
        self.stack.setCurrentIndex(1 if runs else 0)
        by_id = {r.id: r for r in runs}
        children: dict[str, list[Run]] = {}
        for r in runs:
            if r.parent_run_id in by_id:
                children.setdefault(str(r.parent_run_id), []).append(r)
        self.runs.blockSignals(True)
        self.runs.clear()
        current = None

        def add(parent: QTreeWidget | QTreeWidgetItem, run: Run) -> None:
            nonlocal current
            kids = sorted(children.get(run.id, []), key=lambda r: r.created_at)
            it = self._run_item(parent, run, by_id.get(str(run.parent_run_id)), bool(kids), notes.get(run.id))
            if run.id == self.current_run:
                current = it
            for k in kids:
                add(it, k)
            it.setExpanded(True)

        for r in runs:
            if r.parent_run_id not in by_id:
                add(self.runs, r)
        if current is not None:
            self.runs.setCurrentItem(current)
        self.runs.blockSignals(False)
        if current is None and runs and self.current_run is None:
            self.runs.setCurrentItem(self.runs.topLevelItem(0))  # the newest: never an empty pane

    def _run_item(
        self,
        parent: QTreeWidget | QTreeWidgetItem,
        run: Run,
        origin: Run | None,
        forked: bool,
        correction: str | None,
    ) -> QTreeWidgetItem:
        started = stored(run.created_at)
        replaced = forked and run.status == "stopped"
        status = "replaced" if replaced else f"{run.status} · forked" if forked else run.status
        if run.parent_run_id:
            how = f"“{correction}”" if correction else "edited output"
            label = f"Fork at step {run.forked_from_step} · {how}"
            tip = (
                f"Fork of run “{origin.title if origin else run.title}” ({str(run.parent_run_id)[:8]}) "
                f"at step {run.forked_from_step}: steps 1–{run.forked_from_step} kept, the later steps "
                f"re-ran with your correction ({how}). The original run stays viewable above."
            )
        else:
            label, tip = run.title, f"{run.title}\nrun {run.id[:8]} · {run.agent}"
        it = QTreeWidgetItem(parent, [label, run.agent, status, human_time(started)])
        it.setData(0, Qt.ItemDataRole.UserRole, run.id)
        it.setToolTip(0, tip)
        it.setToolTip(2, f"{run.status}" + (" — the fork below replaced this run" if replaced else ""))
        it.setToolTip(3, f"started {iso(started)}")
        it.setForeground(2, status_colour("stopped" if replaced else run.status))
        if run.parent_run_id:
            it.setIcon(0, tinted_icon("fork", fork_colour()))
            it.setForeground(0, fork_colour())
            f = QFont()
            f.setBold(True)
            it.setFont(0, f)
        elif replaced:
            f = QFont()
            f.setItalic(True)
            it.setFont(0, f)
            it.setForeground(0, status_colour("stopped"))
        return it

    # -- steps --------------------------------------------------------------------------------------
    def set_steps(self, run: Run | None, steps: list[Step]) -> None:
        selected = self.selected_step()
        self.run = run
        self._steps = steps
        self.steps.setRowCount(len(steps))
        for row, s in enumerate(steps):
            started = stored(s.started_at)
            name = s.name + (" (edited)" if s.mode == "edited" else "")
            if s.name == "correction" and isinstance(s.output, dict):
                name += f" · “{s.output.get('instruction', '')}”"
            injected = (s.kind, s.name) in INJECTED
            tip = f"{name}\n{s.kind} · started {human_time(started)} ({iso(started)})"
            if injected:
                tip += "\nadded by your correction"
            if s.error:
                tip += f"\n{s.error}"
            cells = [
                _cell(str(s.seq)),
                _cell(KIND_LABEL.get(s.kind, s.kind.replace("_", " ")), s.kind),
                _cell(name, tip),
                _cell(latency(s.latency_ms), f"{s.latency_ms:.1f} ms"),
                _cell(s.status, s.error or s.status),
            ]
            cells[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells[4].setForeground(status_colour(s.status))
            if injected:
                for c in cells[:3]:
                    c.setForeground(fork_colour())
            for col, cell in enumerate(cells):
                self.steps.setItem(row, col, cell)
        self.caption.setText(self._caption(run, len(steps)))
        if selected is not None:
            row = next((i for i, s in enumerate(steps) if s.seq == selected.seq), -1)
            if row >= 0:
                self.steps.selectRow(row)

    def _caption(self, run: Run | None, n: int) -> str:
        if run is None:
            return "Select a run to see its steps."
        when = human_time(stored(run.created_at))
        text = f"<b>{html.escape(run.title)}</b> — {run.status} · started {when} · {n} steps"
        if run.parent_run_id:
            text += (
                f"<br>Fork of run {str(run.parent_run_id)[:8]} at step {run.forked_from_step}: "
                f"steps 1–{run.forked_from_step} kept, later steps re-ran"
            )
            note = self._notes.get(run.id)
            text += f" with “{html.escape(note)}”." if note else "."
        return text

    def selected_step(self) -> Step | None:
        rows = self.steps.selectionModel().selectedRows() if self.steps.selectionModel() else []
        return self._steps[rows[0].row()] if rows and rows[0].row() < len(self._steps) else None

    @property
    def shown_steps(self) -> list[Step]:
        return list(self._steps)

    def later_steps(self, seq: int) -> list[Step]:
        return [s for s in self._steps if s.seq > seq]

    def select_run(self, run_id: str) -> None:
        self.current_run = run_id
        it = self._find(run_id)
        if it is not None:
            self.runs.setCurrentItem(it)
        self.run_selected.emit(run_id)

    def _find(self, run_id: str) -> QTreeWidgetItem | None:
        stack = [self.runs.topLevelItem(i) for i in range(self.runs.topLevelItemCount())]
        while stack:
            it = stack.pop()
            if it.data(0, Qt.ItemDataRole.UserRole) == run_id:
                return it
            stack += [it.child(i) for i in range(it.childCount())]
        return None

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_run(self, cur: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None) -> None:
        if cur is not None:
            self.current_run = str(cur.data(0, Qt.ItemDataRole.UserRole))
            self.run_selected.emit(self.current_run)

    @Slot()
    def _on_step(self) -> None:
        self.rewind_btn.setEnabled(self.selected_step() is not None)

    @Slot()
    def _on_rewind(self) -> None:
        step = self.selected_step()
        if step is not None and self.current_run:
            self.rewind_requested.emit(self.current_run, step.seq)
