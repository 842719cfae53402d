"""Memory Lab: pick a dataset and strategies, run them off the GUI thread, compare and drill down."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.memlab.child import Failed, Loaded, run_in_child
from agent_core.memlab.results import RunRecord
from agent_core.memlab.runner import PLOT_FILES, Progress, RunConfig, format_duration, load_details
from agent_core.memlab.strategies import PRESETS, parse_ks
from agent_core.memlab.summary import ALL
from ui_patterns.common import LabContext, PatternPage
from ui_patterns.common.workers import GeneratorWorker, run_call, run_generator
from ui_patterns.memlab.chart_view import ChartView
from ui_patterns.memlab.controls import RunControls
from ui_patterns.memlab.table_model import ResultsTableModel

CHART_PLACEHOLDER = "The chart appears here when a run finishes."
ALL_CATEGORIES = "all categories"
STRATEGY_WIDTH = 104
COLUMN_PADDING = 10
MIN_PADDING = 7  # a cell draws its text 3-4 px in from each side
HEADER_PADDING = 10
"""The strategy names' column; longer names elide (the tooltip has them whole)."""


class MemoryLabPage(PatternPage):
    title = "Memory Lab"
    subtitle = "Measure how memory strategies remember: recall, answers, latency, staleness."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.runs_dir = Path(ctx.lab.data_dir) / "memlab-runs"
        self.worker: GeneratorWorker | None = None
        self._fitted_width = -1  # the table width the columns were last fitted to
        self.details: dict[str, Any] = {"questions": {}}
        self.model = ResultsTableModel(self)
        self._build()
        self.refresh_runs()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.controls = RunControls()
        self.controls.run_button.clicked.connect(self.start_run)
        self.controls.cancel_button.clicked.connect(self.cancel_run)
        self.controls.runs.itemActivated.connect(self._open_run_item)
        self.controls.runs.itemDoubleClicked.connect(self._open_run_item)
        self.status = self.controls.status
        self.tabs = QTabWidget()
        self.tabs.addTab(self._results_tab(), "Results")
        self.tabs.addTab(self._questions_tab(), "Questions")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 6, 8)
        layout.setSpacing(8)
        layout.addWidget(self.controls)
        layout.addWidget(self.tabs, 1)

    def _results_tab(self) -> QWidget:
        """The table of every metric, then the charts: one vertical scroll, no cropping."""
        inner = QWidget()
        lay = QVBoxLayout(inner)
        row = QHBoxLayout()
        row.addWidget(QLabel("Questions"))
        self.category_box = QComboBox()
        self.category_box.addItem(ALL_CATEGORIES, ALL)
        self.category_box.setToolTip("Means over every question, or over one question category")
        self.category_box.currentIndexChanged.connect(
            lambda _i: self.model.set_category(self.category_box.currentData() or ALL)
        )
        row.addWidget(self.category_box)
        row.addStretch(1)
        lay.addLayout(row)
        self.table = QTableView()
        self.table.setObjectName("memlabResults")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setTextElideMode(Qt.TextElideMode.ElideNone)  # eliding would flatten the two lines
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setHighlightSections(False)
        small = QFont(header.font())
        small.setPointSizeF(small.pointSizeF() - 1)  # nine columns fit beside the settings at 1024
        header.setFont(small)  # what _fit_table measures; the style sheet draws the same size
        header.setStyleSheet(  # two-line headers, compact
            f"QHeaderView::section {{ padding: 3px 3px; font-size: {small.pointSizeF():g}pt; }}"
        )
        header.setMinimumSectionSize(24)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMaximumWidth(STRATEGY_WIDTH)
        rows.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.model.modelReset.connect(self._fit_table)
        self.table.installEventFilter(self)  # a narrower window tightens the columns
        self.model.dataChanged.connect(self._fit_table)
        lay.addWidget(self.table)
        hint = QLabel(
            "Hover a column for what it measures. F1 is LoCoMo's token score; contains counts an "
            "answer right when it holds every gold token."
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.charts: dict[str, ChartView] = {}
        for name in PLOT_FILES:
            self.charts[name] = ChartView(CHART_PLACEHOLDER)
            lay.addWidget(self.charts[name])
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("memlabResultsScroll")
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_table()
        return scroll

    @Slot()
    def _fit_table(self) -> None:
        """Columns as wide as their widest line (two-line headers), their padding shrunk to fit the
        table's width when it can; the table as tall as its rows (the tab scrolls, not the table),
        with room for a sideways bar when even the tightest columns do not fit."""
        table, model = self.table, self.model
        bold = QFont(table.horizontalHeader().font())
        bold.setWeight(QFont.Weight.DemiBold)
        head, cell = QFontMetrics(bold), table.fontMetrics()
        widths = []
        for column in range(model.columnCount()):
            lines = str(model.headerData(column, Qt.Orientation.Horizontal)).split("\n")
            width = max(head.horizontalAdvance(line) for line in lines)
            for row in range(model.rowCount()):
                width = max(width, cell.horizontalAdvance(str(model.data(model.index(row, column)))))
            widths.append(width)
        room = table.width() - 2 * table.frameWidth() - table.verticalHeader().width() - sum(widths)
        padding = max(MIN_PADDING, min(COLUMN_PADDING, room // max(1, len(widths))))
        self._fitted_width = table.width()  # eventFilter refits when this changes
        for column, width in enumerate(widths):
            table.setColumnWidth(column, width + padding)
        table.horizontalHeader().setFixedHeight(2 * head.lineSpacing() + HEADER_PADDING)
        rows = table.verticalHeader().length() or table.verticalHeader().defaultSectionSize()
        bar = 0 if room >= MIN_PADDING * len(widths) else table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(
            table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth() + bar
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        resized = watched is self.table and event.type() == QEvent.Type.Resize
        if resized and self.table.width() != self._fitted_width:
            self._fit_table()
        return super().eventFilter(watched, event)

    def _questions_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.questions = QListWidget()
        self.questions.currentItemChanged.connect(self._show_question)
        self.drill = QTextBrowser()
        split.addWidget(self.questions)
        split.addWidget(self.drill)
        split.setSizes([240, 400])
        return split

    # -- running ---------------------------------------------------------------------------------
    def _chart_style(self) -> str:
        return "dark" if self.palette().color(self.backgroundRole()).lightness() < 128 else "light"

    @Slot()
    def start_run(self) -> None:
        if self.worker is not None:
            return
        controls = self.controls
        try:
            ks = parse_ks(controls.ks.text())
        except ValueError as exc:
            self.status.setText(f"Cannot run: {exc}")
            return
        problem = controls.problem()
        if problem is not None:
            self.status.setText(f"Cannot run: {problem}")
            return
        names, kind, source = controls.selected_strategies(), controls.kind, controls.source()
        config = RunConfig(
            [PRESETS[n] for n in names],
            ks=ks,
            embedder=controls.embedder.currentText(),
            chart_style=self._chart_style(),
        )
        out = self.runs_dir / datetime.now().strftime("%Y%m%d-%H%M%S")
        self._clear()
        controls.progress.setValue(0)
        self.status.setText("Starting the run…")
        controls.set_running(True)
        self.worker = run_generator(
            lambda stop: run_in_child(kind, source, config, out, stop), self._on_item, None, self._on_error
        )
        self.worker.signals.finished.connect(self._on_finished)

    def _clear(self) -> None:
        self.model.set_rows([])
        self._sync_categories()
        self.controls.set_problems([])
        self.questions.clear()
        self.drill.clear()
        self.details = {"questions": {}}
        for chart in self.charts.values():
            chart.clear_chart("Waiting for the run…")

    @Slot()
    def cancel_run(self) -> None:
        if self.worker is not None:
            self.worker.quit()
            self.status.setText("Cancelling after the current turn…")
            self.controls.cancel_button.setEnabled(False)

    def _on_item(self, item: object) -> None:
        if isinstance(item, Loaded):
            self.status.setText(item.summary)
            self.controls.set_problems(item.problems)
            self.details = {"questions": item.questions}
            return
        if isinstance(item, Failed):
            self._on_error(item.message)
            return
        assert isinstance(item, Progress)
        self.controls.progress.setValue(int(item.fraction * 1000))
        eta = item.eta_s
        self.status.setText(
            f"{item.strategy or 'writing results'} — {item.stage}: {item.done}/{item.total}, "
            f"elapsed {format_duration(item.elapsed_s)}, ETA {format_duration(eta) if eta is not None else '…'}"
        )
        if item.rows:
            self.model.add_rows(item.rows)
            self._sync_categories()
        if item.details:
            self._merge_details(item)
        if item.plot is not None:
            self._show_chart(item.plot)
        if item.outcome is not None:
            self._fill_questions()
            state = "cancelled" if item.outcome.cancelled else "finished"
            self.status.setText(
                f"Run {state}: {self.model.row_count_total()} question rows in {format_duration(item.elapsed_s)}."
            )
            self.refresh_runs()

    def _merge_details(self, item: Progress) -> None:
        """Keep the drill-down live: per-question answers arrive with each conversation's rows."""
        questions = self.details.setdefault("questions", {})
        for qid, detail in item.details.items():
            entry = questions.setdefault(qid, {"strategies": {}})
            entry.setdefault("strategies", {})[item.strategy] = detail

    def _sync_categories(self) -> None:
        """The category filter offers exactly the categories of the rows shown."""
        wanted = self.model.summary.categories
        have = [self.category_box.itemData(i) for i in range(1, self.category_box.count())]
        if have == wanted:
            return
        current = self.category_box.currentData()
        self.category_box.blockSignals(True)
        while self.category_box.count() > 1:
            self.category_box.removeItem(1)
        for category in wanted:
            self.category_box.addItem(category, category)
        index = max(0, self.category_box.findData(current))
        self.category_box.setCurrentIndex(index)
        self.category_box.blockSignals(False)
        self.model.set_category(self.category_box.currentData() or ALL)

    def _on_error(self, message: str) -> None:
        self.status.setText(f"Run failed: {message}")

    def _on_finished(self) -> None:
        self.worker = None
        self.controls.set_running(False)

    def _show_chart(self, path: Path) -> None:
        chart = self.charts.get(path.name)
        if chart is not None:
            chart.load(path)

    # -- earlier runs ----------------------------------------------------------------------------
    def refresh_runs(self) -> None:
        runs = self.controls.runs
        runs.clear()
        if not self.runs_dir.is_dir():
            return
        for run_dir in sorted(self.runs_dir.iterdir(), reverse=True):
            if (run_dir / "results.json").exists():
                item = QListWidgetItem(run_dir.name)
                item.setData(Qt.ItemDataRole.UserRole, str(run_dir))
                runs.addItem(item)

    @Slot(QListWidgetItem)
    def _open_run_item(self, item: QListWidgetItem) -> None:
        self.open_run(Path(item.data(Qt.ItemDataRole.UserRole)))

    def open_run(self, run_dir: Path) -> GeneratorWorker:
        """Show an earlier run: its table, charts and drill-down (files are read on a worker)."""
        self.status.setText(f"Opening {run_dir.name}…")
        return run_call(
            lambda: (RunRecord.load(run_dir), load_details(run_dir)),
            lambda loaded: self._show_run(run_dir, *loaded),  # type: ignore[misc]
            lambda message: self.status.setText(f"Cannot open {run_dir.name}: {message}"),
        )

    def _show_run(self, run_dir: Path, record: RunRecord, details: dict[str, Any]) -> None:
        self._clear()
        self.model.set_rows(record.rows)
        self._sync_categories()
        self.details = details
        self._fill_questions()
        for name in PLOT_FILES:
            if (run_dir / name).exists():
                self._show_chart(run_dir / name)
            else:
                self.charts[name].clear_chart("This run has no such chart.")
        strategies = ", ".join(self.model.summary.strategies)
        self.status.setText(f"{run_dir.name}: {record.dataset_name}, {strategies}")

    # -- drill-down ------------------------------------------------------------------------------
    def _fill_questions(self) -> None:
        self.questions.clear()
        for qid, entry in self.details.get("questions", {}).items():
            text = entry.get("question", "")
            item = QListWidgetItem(f"[{entry.get('category', '')}] {text or qid}")
            item.setData(Qt.ItemDataRole.UserRole, qid)
            self.questions.addItem(item)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _show_question(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            return
        entry = self.details.get("questions", {}).get(item.data(Qt.ItemDataRole.UserRole), {})
        esc = html.escape
        parts = [
            f"<h3>{esc(str(entry.get('question', '')))}</h3>",
            f"<p><b>Gold:</b> {esc(str(entry.get('gold')))} &nbsp; <b>Evidence:</b> "
            f"{esc(', '.join(entry.get('evidence', [])) or '—')}</p>",
        ]
        for name, got in entry.get("strategies", {}).items():
            contains = "contains the gold answer" if got.get("contains") else "does not contain it"
            parts.append(
                f"<h4>{esc(name)} — F1 {got.get('f1', 0):.2f} · {contains}</h4>"
                f"<p><b>Answer:</b> {esc(str(got.get('answer', '')))}</p>"
            )
            recalled = got.get("recalled", [])
            if not recalled:
                parts.append("<p><i>recalled nothing</i></p>")
                continue
            parts.append(
                "<table border='1' cellspacing='0' cellpadding='3'><tr><th>content</th><th>turn</th>"
                "<th>score</th><th>rel / rec / imp</th></tr>"
            )
            for r in recalled:
                p = r.get("parts", {})
                mark = " ★" if r.get("turn_id") in entry.get("evidence", []) else ""
                parts.append(
                    f"<tr><td>{esc(str(r.get('content', '')))[:200]}</td><td>{esc(str(r.get('turn_id')))}{mark}</td>"
                    f"<td>{r.get('score', 0):.3f}</td><td>{p.get('relevance', 0):.2f} / "
                    f"{p.get('recency', 0):.2f} / {p.get('importance', 0):.2f}</td></tr>"
                )
            parts.append("</table>")
        self.drill.setHtml("".join(parts))

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.quit()


MemLabPage = MemoryLabPage
"""The name the desktop registry (desktop/patterns.py) imports."""
