"""Memory Lab: pick a dataset and strategies, run them off the GUI thread, compare and drill down."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.memlab.dataset import Dataset
from agent_core.memlab.results import RunRecord
from agent_core.memlab.runner import PLOT_FILES, Progress, RunConfig, format_duration, iter_run, load_details
from agent_core.memlab.scenario import SIZES
from agent_core.memlab.sources import load_dataset
from agent_core.memlab.strategies import PRESETS, parse_ks
from ui_patterns.common import LabContext, PatternPage
from ui_patterns.common.workers import GeneratorWorker, run_generator
from ui_patterns.memlab.table_model import ResultsTableModel

DEFAULT_CHECKED = ("off", "semantic", "hot_path", "background", "no_consolidation")
METRICS = ("f1", "exact", "recall@5", "recall@10", "recall@25", "latency_ms", "staleness_ms", "tokens")


class MemoryLabPage(PatternPage):
    title = "Memory Lab"
    subtitle = "Measure how memory strategies remember: recall, answers, latency, staleness."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.runs_dir = Path(ctx.lab.data_dir) / "memlab-runs"
        self.worker: GeneratorWorker | None = None
        self.details: dict[str, Any] = {"questions": {}}
        self.model = ResultsTableModel(self)
        self._build()
        self.refresh_runs()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        controls = QWidget()
        left = QVBoxLayout(controls)
        data_box = QGroupBox("Dataset")
        form = QFormLayout(data_box)
        self.dataset_kind = QComboBox()
        self.dataset_kind.addItems(["scenario", "locomo", "longmemeval"])
        self.size = QComboBox()
        self.size.addItems([*SIZES, "1", "25"])
        self.path = QLineEdit()
        self.path.setPlaceholderText("LoCoMo / LongMemEval JSON file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form.addRow("Source", self.dataset_kind)
        form.addRow("Scenario size", self.size)
        form.addRow("File", path_row)
        self.problems = QListWidget()
        self.problems.setObjectName("importProblems")
        self.problems.setMaximumHeight(90)
        self.problems.setToolTip("Records the importer skipped or repaired")
        form.addRow("Import problems", self.problems)
        left.addWidget(data_box)

        strat_box = QGroupBox("Strategies")
        grid = QGridLayout(strat_box)
        self.checks: dict[str, QCheckBox] = {}
        for i, (name, strategy) in enumerate(PRESETS.items()):
            box = QCheckBox(name)
            box.setToolTip(strategy.describe())
            box.setChecked(name in DEFAULT_CHECKED)
            self.checks[name] = box
            grid.addWidget(box, i // 2, i % 2)
        left.addWidget(strat_box)

        opts = QFormLayout()
        self.ks = QLineEdit("5,10,25")
        self.embedder = QComboBox()
        self.embedder.addItems(["hash-256", "minilm"])
        opts.addRow("k values", self.ks)
        opts.addRow("Embedder", self.embedder)
        left.addLayout(opts)

        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_run)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        left.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Choose a dataset and strategies, then Run.")
        self.status.setWordWrap(True)
        left.addWidget(self.progress)
        left.addWidget(self.status)

        left.addWidget(QLabel("Earlier runs (double-click to open)"))
        self.runs = QListWidget()
        self.runs.itemActivated.connect(self._open_run_item)
        self.runs.itemDoubleClicked.connect(self._open_run_item)
        left.addWidget(self.runs, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._results_tab(), "Results")
        self.tabs.addTab(self._charts_tab(), "Charts")
        self.tabs.addTab(self._questions_tab(), "Questions")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(controls)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _results_tab(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Metric"))
        self.metric_box = QComboBox()
        self.metric_box.addItems(METRICS)
        self.metric_box.currentTextChanged.connect(self.model.set_metric)
        row.addWidget(self.metric_box)
        row.addStretch(1)
        lay.addLayout(row)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.model.modelReset.connect(self.table.resizeColumnsToContents)
        lay.addWidget(self.table)
        return page

    def _charts_tab(self) -> QWidget:
        inner = QWidget()
        lay = QVBoxLayout(inner)
        self.charts: dict[str, QLabel] = {}
        for name in PLOT_FILES:
            label = QLabel("The chart appears here when a run finishes.")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumHeight(120)
            self.charts[name] = label
            lay.addWidget(label)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        return scroll

    def _questions_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.questions = QListWidget()
        self.questions.currentItemChanged.connect(self._show_question)
        self.drill = QTextBrowser()
        split.addWidget(self.questions)
        split.addWidget(self.drill)
        split.setSizes([320, 600])
        return split

    # -- running ---------------------------------------------------------------------------------
    def selected_strategies(self) -> list[str]:
        return [name for name, box in self.checks.items() if box.isChecked()]

    @Slot()
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Benchmark file", "", "JSON (*.json)")
        if path:
            self.path.setText(path)

    @Slot()
    def start_run(self) -> None:
        if self.worker is not None:
            return
        names = self.selected_strategies()
        try:
            ks = parse_ks(self.ks.text())
            if not names:
                raise ValueError("tick at least one strategy")
        except ValueError as exc:
            self.status.setText(f"Cannot run: {exc}")
            return
        kind = self.dataset_kind.currentText()
        source = self.size.currentText() if kind == "scenario" else self.path.text().strip()
        config = RunConfig([PRESETS[n] for n in names], ks=ks, embedder=self.embedder.currentText())
        out = self.runs_dir / datetime.now().strftime("%Y%m%d-%H%M%S")
        self.model.set_rows([])
        self.problems.clear()
        self.questions.clear()
        self.drill.clear()
        self.details = {"questions": {}}
        for label in self.charts.values():
            label.setPixmap(QPixmap())
            label.setText("Waiting for the run…")
        self.progress.setValue(0)
        self.status.setText("Loading the dataset…")
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)

        def work(should_stop: Any) -> Iterator[object]:
            dataset = load_dataset(kind, source)
            yield dataset
            yield from iter_run(dataset, config, out_dir=out, should_stop=should_stop)

        self.worker = run_generator(work, self._on_item, None, self._on_error)
        self.worker.signals.finished.connect(self._on_finished)

    @Slot()
    def cancel_run(self) -> None:
        if self.worker is not None:
            self.worker.quit()
            self.status.setText("Cancelling after the current turn…")
            self.cancel_button.setEnabled(False)

    def _on_item(self, item: object) -> None:
        if isinstance(item, Dataset):
            self.status.setText(item.summary())
            for problem in item.problems:
                self.problems.addItem(str(problem))
            return
        assert isinstance(item, Progress)
        self.progress.setValue(int(item.fraction * 1000))
        eta = item.eta_s
        self.status.setText(
            f"{item.strategy or 'writing results'} — {item.stage}: {item.done}/{item.total}, "
            f"elapsed {format_duration(item.elapsed_s)}, ETA {format_duration(eta) if eta is not None else '…'}"
        )
        if item.rows:
            self.model.add_rows(item.rows)
        if item.details:
            self._merge_details(item)
        if item.plot is not None:
            self._show_chart(item.plot)
        if item.outcome is not None:
            self.details = item.outcome.details
            self._fill_questions()
            state = "cancelled" if item.outcome.cancelled else "finished"
            self.status.setText(
                f"Run {state}: {len(item.outcome.record.rows)} question rows in {format_duration(item.elapsed_s)}."
            )
            self.refresh_runs()

    def _merge_details(self, item: Progress) -> None:
        """Keep the drill-down live: per-question answers arrive with each conversation's rows."""
        questions = self.details.setdefault("questions", {})
        rows = {row.question_id: row for row in item.rows}
        for qid, detail in item.details.items():
            entry = questions.setdefault(
                qid, {"category": rows[qid].category if qid in rows else "", "strategies": {}}
            )
            entry["strategies"][item.strategy] = detail

    def _on_error(self, message: str) -> None:
        self.status.setText(f"Run failed: {message}")

    def _on_finished(self) -> None:
        self.worker = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _show_chart(self, path: Path) -> None:
        label = self.charts.get(path.name)
        pixmap = QPixmap(str(path))
        if label is None or pixmap.isNull():
            return
        label.setPixmap(
            pixmap.scaledToWidth(min(pixmap.width(), 900), Qt.TransformationMode.SmoothTransformation)
        )

    # -- earlier runs ----------------------------------------------------------------------------
    def refresh_runs(self) -> None:
        self.runs.clear()
        if not self.runs_dir.is_dir():
            return
        for run_dir in sorted(self.runs_dir.iterdir(), reverse=True):
            if (run_dir / "results.json").exists():
                item = QListWidgetItem(run_dir.name)
                item.setData(Qt.ItemDataRole.UserRole, str(run_dir))
                self.runs.addItem(item)

    @Slot(QListWidgetItem)
    def _open_run_item(self, item: QListWidgetItem) -> None:
        self.open_run(Path(item.data(Qt.ItemDataRole.UserRole)))

    def open_run(self, run_dir: Path) -> None:
        """Show an earlier run: its table, charts and drill-down."""
        try:
            record = RunRecord.load(run_dir)
        except (OSError, ValueError, KeyError) as exc:
            self.status.setText(f"Cannot open {run_dir.name}: {exc}")
            return
        self.model.set_rows(record.rows)
        self.details = load_details(run_dir)
        self._fill_questions()
        for name in PLOT_FILES:
            if (run_dir / name).exists():
                self._show_chart(run_dir / name)
        strategies = ", ".join(dict.fromkeys(row.strategy for row in record.rows))
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
            parts.append(
                f"<h4>{esc(name)} — F1 {got.get('f1', 0):.2f}</h4><p><b>Answer:</b> {esc(str(got.get('answer', '')))}</p>"
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
