"""The run timeline: runs with their forks as branches, every step with kind, name and latency.

Select a step and "Rewind here and correct…" forks the run there: the original stays in the tree
(marked as a discarded branch) and the fork appears beneath it.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_core.runs import Run, Step

STATUS_COLOUR = {"done": "#188038", "waiting": "#e37400", "paused": "#9334e6", "error": "#d93025",
                 "running": "#1a73e8", "stopped": "#80868b"}  # fmt: skip


class RewindDialog(QDialog):
    """Correct a step: edit its output, or give the agent an instruction for the steps after it."""

    def __init__(self, step: Step, later: list[Step], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rewind to step {step.seq} and correct")
        self.step = step
        cost = sum(s.prompt_tokens + s.completion_tokens for s in later)
        intro = QLabel(
            f"Steps 1–{step.seq} are kept. {len(later)} later step(s) will re-run "
            f"({', '.join(f'{s.kind}:{s.name}' for s in later[:4]) or 'none'}; ~{cost} tokens before). "
            "The original run stays viewable."
        )
        intro.setWordWrap(True)
        self.edit_radio = QRadioButton("Edit this step's output")
        self.instr_radio = QRadioButton("Give an instruction")
        self.output = QPlainTextEdit(json.dumps(step.output, indent=2, ensure_ascii=False))
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText("e.g. Always ignore newsletters.")
        self.error = QLabel()
        self.error.setStyleSheet("color: #d93025;")
        self.instr_radio.setChecked(True)
        self.edit_radio.toggled.connect(self._sync)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Fork and re-run")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (
            intro,
            self.instr_radio,
            self.instruction,
            self.edit_radio,
            self.output,
            self.error,
            buttons,
        ):
            lay.addWidget(w)
        self.resize(560, 420)
        self._sync()

    @Slot()
    def _sync(self) -> None:
        self.output.setEnabled(self.edit_radio.isChecked())
        self.instruction.setEnabled(self.instr_radio.isChecked())

    def correction(self) -> tuple[object, str]:
        """(new output or None, instruction)."""
        if self.edit_radio.isChecked():
            return json.loads(self.output.toPlainText()), ""
        return None, self.instruction.text().strip()

    @Slot()
    def _accept(self) -> None:
        try:
            out, instr = self.correction()
        except json.JSONDecodeError as exc:
            self.error.setText(f"Not valid JSON: {exc.msg} (line {exc.lineno}).")
            return
        if out is None and not instr:
            self.error.setText("Write an instruction, or choose to edit the output.")
            return
        self.accept()


class RunTimeline(QWidget):
    run_selected = Signal(str)
    rewind_requested = Signal(str, int)  # run id, step seq

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs = QTreeWidget()
        self.runs.setHeaderLabels(["Run", "Agent", "Status"])
        self.runs.header().setStretchLastSection(False)
        self.runs.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            self.runs.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.steps = QTableWidget(0, 5)
        self.steps.setHorizontalHeaderLabels(["#", "Kind", "Name", "Latency", "Status"])
        for col in (0, 1, 3, 4):
            self.steps.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.steps.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.steps.verticalHeader().setVisible(False)
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rewind_btn = QPushButton("Rewind here and correct…")
        self.rewind_btn.setEnabled(False)
        self.caption = QLabel("Select a run to see its steps.")
        self.caption.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.caption)
        rl.addWidget(self.steps, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.rewind_btn)
        rl.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.runs)
        split.addWidget(right)
        split.setSizes([470, 470])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.current_run: str | None = None
        self._steps: list[Step] = []
        self.runs.currentItemChanged.connect(self._on_run)
        self.steps.itemSelectionChanged.connect(self._on_step)
        self.rewind_btn.clicked.connect(self._on_rewind)

    def set_runs(self, runs: list[Run]) -> None:
        """Roots newest first; each fork nested under the run it came from."""
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
            label = f"{run.title}" if run.parent_run_id is None else f"fork @ step {run.forked_from_step}"
            status = "discarded branch" if kids and run.status == "stopped" else run.status
            it = QTreeWidgetItem(parent, [label, run.agent, status])
            it.setData(0, Qt.ItemDataRole.UserRole, run.id)
            it.setForeground(2, QColor(STATUS_COLOUR.get(run.status, "#5f6368")))
            if kids and run.status == "stopped":
                f = QFont()
                f.setStrikeOut(True)
                it.setFont(0, f)
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

    def set_steps(self, run: Run | None, steps: list[Step]) -> None:
        selected = self.selected_step()
        self._steps = steps
        self.steps.setRowCount(len(steps))
        for row, s in enumerate(steps):
            cells = [str(s.seq), s.kind, s.name + (" (edited)" if s.mode == "edited" else ""),
                     f"{s.latency_ms:.1f} ms", s.status]  # fmt: skip
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 4:
                    cell.setForeground(QColor(STATUS_COLOUR.get(s.status, "#5f6368")))
                self.steps.setItem(row, col, cell)
        if run is not None:
            fork = f" · forked from step {run.forked_from_step}" if run.parent_run_id else ""
            self.caption.setText(f"<b>{run.title}</b> — {run.status}{fork}")
        if selected is not None:
            row = next((i for i, s in enumerate(steps) if s.seq == selected.seq), -1)
            if row >= 0:
                self.steps.selectRow(row)

    def selected_step(self) -> Step | None:
        rows = self.steps.selectionModel().selectedRows() if self.steps.selectionModel() else []
        return self._steps[rows[0].row()] if rows and rows[0].row() < len(self._steps) else None

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
