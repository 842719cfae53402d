"""The contradiction workbench in the inspector: fact flips × consolidation policies, table and chart."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_core.memlab.contradictions import SUITES, WorkbenchReport, plot, run_workbench
from desktop.inspector.jobs import Jobs
from ui_patterns.common.lazy import LazyTab

COLUMNS = (
    ("right", "Right after flip"),
    ("stale_answers", "Stale answers"),
    ("stale_current", "Stale still current"),
    ("history_kept", "History kept"),
    ("wrongly_invalidated", "Wrongly invalidated"),
)
INTRO = (
    "Five fact flips (preference reversal, a move, a job change, correcting the agent, “I never said "
    "that”) run offline against each consolidation policy, in a throwaway store."
)


class ContradictionsTab(LazyTab):
    finished = Signal(object)  # WorkbenchReport
    failed = Signal(str)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs

    def _build(self) -> None:  # on first show or touch (LazyTab)
        self.report: WorkbenchReport | None = None
        self._pixmap = QPixmap()
        self.intro = QLabel(INTRO, self)
        self.intro.setWordWrap(True)
        self.run_button = QPushButton("Run workbench", self)
        self.run_button.clicked.connect(self.run)
        self.table = QTableWidget(0, len(COLUMNS) + 1, self)
        self.table.setHorizontalHeaderLabels(["Policy", *(c[1] for c in COLUMNS)])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chart = QLabel(self)
        self.chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart.setMinimumSize(200, 200)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.intro)
        lay.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.table)
        lay.addWidget(self.chart, 1)

    @Slot()
    def run(self) -> None:
        self.run_button.setEnabled(False)
        self.run_button.setText("Running…")

        def work() -> tuple[WorkbenchReport, bytes]:
            report = run_workbench()
            with tempfile.TemporaryDirectory() as tmp:
                png = plot(report, Path(tmp) / "chart.png").read_bytes()
            return report, png

        self.jobs.run(work, self._on_done, self._on_error)

    def _on_done(self, result: object) -> None:
        assert isinstance(result, tuple)
        report, png = result
        self.show_report(report, png)
        self.finished.emit(report)

    def _on_error(self, message: str) -> None:
        self.run_button.setEnabled(True)
        self.run_button.setText("Run workbench")
        self.intro.setText(f"⚠ {message}")
        self.failed.emit(message)

    def show_report(self, report: WorkbenchReport, png: bytes) -> None:
        self.report = report
        data = report.by_policy()
        self.table.setRowCount(len(data))
        n = len(SUITES)
        for row, (policy, r) in enumerate(data.items()):
            self.table.setItem(row, 0, QTableWidgetItem(policy))
            for col, (key, _label) in enumerate(COLUMNS, start=1):
                value = int(r[key])
                item = QTableWidgetItem(str(value) if key == "wrongly_invalidated" else f"{value}/{n}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        self._pixmap = QPixmap()
        self._pixmap.loadFromData(png)
        self._fit_chart()
        header = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        self.table.setFixedHeight(header + sum(self.table.rowHeight(r) for r in range(len(data))))
        self.run_button.setEnabled(True)
        self.run_button.setText("Run again")

    def _fit_chart(self) -> None:
        if not self._pixmap.isNull() and self.chart.width() > 10:
            self.chart.setPixmap(
                self._pixmap.scaled(
                    self.chart.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_chart()

    def cell(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text() if item else ""
