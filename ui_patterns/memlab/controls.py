"""The Memory Lab's settings column: dataset, strategies and options scroll; Run and status stay put.

At 1024x640 the column used to push the page past the window (a page-level scroll bar hid Run);
now only its middle scrolls, and the footer with Run, Cancel, progress and status is always shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_core.memlab.scenario import SIZES
from agent_core.memlab.sources import KINDS, LABELS, source_problem
from agent_core.memlab.strategies import PRESETS

DEFAULT_CHECKED = ("off", "semantic", "hot_path", "background", "no_consolidation")
WIDTH = 220


class RunControls(QWidget):
    """Everything a run is configured with; Run is enabled only when the run can start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memlabControls")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 10, 0)  # room for the scroll bar
        column.addWidget(self._dataset_box())
        column.addWidget(self._strategy_box())
        column.addLayout(self._options())
        column.addWidget(QLabel("Earlier runs (double-click to open)"))
        self.runs = QListWidget()
        self.runs.setMinimumHeight(90)
        column.addWidget(self.runs, 1)
        scroll = QScrollArea()
        scroll.setObjectName("memlabControlsScroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(self._footer())
        self.setFixedWidth(WIDTH)
        self.dataset_kind.currentTextChanged.connect(self._sync_source)
        self.path.textChanged.connect(self._sync_source)
        for box in self.checks.values():
            box.toggled.connect(self._sync_source)
        self._sync_source()

    def _dataset_box(self) -> QGroupBox:
        box = QGroupBox("Dataset")
        self.form = QFormLayout(box)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.dataset_kind = QComboBox()
        for kind in KINDS:
            self.dataset_kind.addItem(LABELS[kind], kind)
        self.size = QComboBox()
        self.size.addItems([*SIZES, "1", "25"])
        self.path = QLineEdit()
        self.path.setPlaceholderText("JSON file")
        self.path.setMinimumWidth(60)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.source_hint = QLabel()
        self.source_hint.setObjectName("memlabSourceHint")
        self.source_hint.setProperty("role", "error")
        self.source_hint.setWordWrap(True)
        self.problems_label = QLabel()
        self.problems_label.setProperty("role", "hint")
        self.problems = QListWidget()
        self.problems.setObjectName("importProblems")
        self.problems.setMaximumHeight(84)
        self.problems.setToolTip("Records the importer skipped or repaired")
        self.form.addRow("Source", self.dataset_kind)
        self.form.addRow("Size", self.size)
        self.form.addRow("File", file_row)
        self.form.addRow(self.source_hint)
        self.form.addRow(self.problems_label)
        self.form.addRow(self.problems)
        self.set_problems([])
        return box

    def _strategy_box(self) -> QGroupBox:
        box = QGroupBox("Strategies")
        column = QVBoxLayout(box)  # one column: two clipped "semantic+episodic" at this width
        column.setSpacing(2)
        self.checks: dict[str, QCheckBox] = {}
        for name, strategy in PRESETS.items():
            check = QCheckBox(name)
            check.setToolTip(strategy.describe())
            check.setChecked(name in DEFAULT_CHECKED)
            self.checks[name] = check
            column.addWidget(check)
        return box

    def _options(self) -> QFormLayout:
        opts = QFormLayout()
        self.ks = QLineEdit("5,10,25")
        self.ks.setToolTip("Retrieval cut-offs, comma separated")
        self.embedder = QComboBox()
        self.embedder.addItems(["hash-256", "minilm"])
        opts.addRow("k values", self.ks)
        opts.addRow("Embedder", self.embedder)
        return opts

    def _footer(self) -> QVBoxLayout:
        footer = QVBoxLayout()
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        footer.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Choose a dataset and strategies, then Run.")
        self.status.setWordWrap(True)
        footer.addWidget(self.progress)
        footer.addWidget(self.status)
        return footer

    # -- state -----------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.dataset_kind.currentData())

    def set_kind(self, kind: str) -> None:
        self.dataset_kind.setCurrentIndex(self.dataset_kind.findData(kind))

    def source(self) -> str:
        return self.size.currentText() if self.kind == "scenario" else self.path.text().strip()

    def selected_strategies(self) -> list[str]:
        return [name for name, box in self.checks.items() if box.isChecked()]

    def problem(self) -> str | None:
        """Why Run cannot start now, in one sentence (None: it can)."""
        if not self.selected_strategies():
            return "Tick at least one strategy."
        return source_problem(self.kind, self.source())

    def set_problems(self, problems: list[str]) -> None:
        self.problems.clear()
        self.problems.addItems(problems)
        self.problems_label.setText(f"Import problems: {len(problems)} (skipped or repaired)")
        for widget in (self.problems_label, self.problems):
            widget.setVisible(bool(problems))

    def set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self._sync_source(running=running)

    @Slot()
    def _sync_source(self, *_args: object, running: bool | None = None) -> None:
        scenario = self.kind == "scenario"
        self.form.setRowVisible(self.size, scenario)
        self.form.setRowVisible(2, not scenario)
        source = source_problem(self.kind, self.source())
        self.source_hint.setText(source or "")
        self.source_hint.setVisible(source is not None)
        problem = self.problem()
        busy = self.cancel_button.isEnabled() if running is None else running
        self.run_button.setEnabled(problem is None and not busy)
        self.run_button.setToolTip(problem or "Run the ticked strategies over the dataset")

    @Slot()
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"{LABELS[self.kind]} file", "", "JSON (*.json)")
        if path:
            self.path.setText(path)
