"""SpreadsheetPage: columns are prompts, cells run on worker threads, every cell explains itself.

The GUI thread only paints and dispatches: planning a run (claiming thousands of cells), the cost
estimate, CSV import/export and finishing the recorded run all happen in pool workers; progress
reaches the table through SheetModel's coalesced updates and the live counter through a poll timer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.runtime.engine import EngineError
from agent_core.sheet import (
    BatchedCellRunner,
    CellRunner,
    CellState,
    Column,
    RunHandle,
    Sheet,
    SheetExecutor,
    export_csv,
    import_csv,
)
from agent_core.sheet.estimate import Estimate, Rates, cells_for, estimate
from agent_core.sheet.llm_runner import EngineCellRunner, plan_columns_with_llm
from agent_core.sheet.planner import INDUSTRY_OPTIONS
from ui_patterns.common.context import LabContext
from ui_patterns.common.page import PatternPage
from ui_patterns.common.workers import run_call
from ui_patterns.spreadsheet.column_dialog import AddColumnDialog
from ui_patterns.spreadsheet.drawer import ProvenanceDrawer
from ui_patterns.spreadsheet.model import SheetModel
from ui_patterns.spreadsheet.plan_dialog import PlanDialog
from ui_patterns.spreadsheet.wrapbar import WrapBar

INPUT_MIN_WIDTH = 72
INPUT_MAX_WIDTH = 170
AGENT_WIDTH = 250
INPUT_SHARE = 0.6  # inputs take at most this share of the table's width
DEMO_CSV = Path(__file__).resolve().parents[2] / "assets" / "sheet" / "customers.csv"
Submit = Callable[[SheetExecutor], RunHandle]


def _cells(n: int) -> str:
    return "cell" if n == 1 else "cells"


def _fit_widths(wanted: dict[int, int], floors: dict[int, int], room: int) -> dict[int, int]:
    """Cap the widest columns first (water-filling) until they fit `room`; never below a floor."""
    if sum(wanted.values()) <= room:
        return dict(wanted)
    low, high = 0, max(wanted.values())
    while low < high:  # the largest cap that fits
        cap = (low + high + 1) // 2
        if sum(max(floors[s], min(w, cap)) for s, w in wanted.items()) <= room:
            low = cap
        else:
            high = cap - 1
    return {s: max(floors[s], min(w, low)) for s, w in wanted.items()}


def demo_sheet() -> Sheet:
    """The customers sample with four agent columns, one of which (Email) reads another (Summary)."""
    sheet = import_csv(DEMO_CSV)
    for column in (
        Column("Industry", "agent", "Industry of {Company}", "category", INDUSTRY_OPTIONS),
        Column("Employees", "agent", "Number of employees at {Company}", "number"),
        Column("Reachable", "agent", "Is {Website} reachable? yes/no", "yes/no"),
        Column("Summary", "agent", "Summary of {Company}", "text"),
        Column(
            "Email",
            "agent",
            "Email to {Contact} at {Company} about the new pricing, using: {Summary}",
            "text",
        ),
    ):
        sheet.add_column(column)
    return sheet


class SpreadsheetPage(PatternPage):
    title = "Spreadsheet"
    subtitle = "Columns are prompts; cells run in dependency order and explain themselves."
    run_finished = Signal()
    sheet_loaded = Signal()
    open_run = Signal(str)  # a provenance link: the shell shows this run in the Traces page

    def __init__(self, ctx: LabContext, parent: QWidget | None = None, *, runner: CellRunner | None = None,
                 load_demo: bool = True) -> None:  # fmt: skip
        super().__init__(ctx, parent)
        self.runner: CellRunner = runner or EngineCellRunner(ctx.engine, profile=ctx.profile)
        self.rates = Rates()
        self.confirm_over_usd = 1.0  # ask before a run estimated to cost more than this
        self._executor: SheetExecutor | None = None
        self._handles: list[RunHandle] = []
        self._submitting = 0
        self._spent_tokens = 0
        self._spent_usd = 0.0
        self.model = SheetModel(None, self)
        self.table = QTableView()
        self.model.show_in(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.clicked.connect(self.show_provenance)
        self.table.horizontalHeader().setDefaultSectionSize(170)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self._sizing = False
        self._user_sized = False
        self._wanted: dict[int, tuple[int, int]] | None = None  # content widths; None: measure again
        self.model.columnsInserted.connect(self._forget_widths)
        self.model.columnsInserted.connect(self._size_columns)
        self.model.modelReset.connect(self._forget_widths)
        self.model.dataChanged.connect(self._forget_widths)
        self.table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.drawer = ProvenanceDrawer()
        self.drawer.hide()
        self.drawer.retry_requested.connect(self.retry_cell)
        self.drawer.open_run.connect(self.open_run)
        self.model.flushed.connect(self._refresh_drawer)
        self._footer_timer = QTimer(self)
        self._footer_timer.setSingleShot(True)
        self._footer_timer.setInterval(150)
        self._footer_timer.timeout.connect(self._refresh_footer)
        self.model.flushed.connect(self._note_cells_changed)
        self.toolbar = self._build_toolbar()
        self.estimate_label = QLabel()
        self.live_label = QLabel("No run yet")
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #c0392b;")
        status = QHBoxLayout()
        status.addWidget(self.estimate_label)
        status.addStretch(1)
        status.addWidget(self.status_label)
        status.addWidget(self.live_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.drawer)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        layout.addLayout(status)
        self._poll = QTimer(self)
        self._poll.setInterval(200)
        self._poll.timeout.connect(self._tick)
        ctx.profile_changed.connect(self._on_profile_changed)
        self.table.viewport().installEventFilter(self)
        if load_demo:
            self.set_sheet(demo_sheet())

    @Slot(str)
    def _on_profile_changed(self, profile: str) -> None:
        """Cells recall the facts of the profile chosen now (a runner without profiles ignores it)."""
        set_profile = getattr(self.runner, "set_profile", None)
        if set_profile is not None:
            set_profile(profile)

    def _build_toolbar(self) -> WrapBar:
        """Every control stays on screen: groups wrap to a second line on a narrow window (a
        QToolBar hid Run column, Run row, Cancel and Concurrency behind an overflow arrow)."""
        bar = WrapBar()
        bar.setObjectName("sheetToolbar")
        self.actions_by_name = {}
        self.tool_buttons: dict[str, QToolButton] = {}
        groups = (
            (("all", "Run all", self.run_all, "Run every agent cell that is not done"),
             ("stale", "Run stale", self.run_stale, "Re-run the cells whose inputs changed"),
             ("column", "Run column", self.run_selected_column, "Run the selected cell's agent column"),
             ("row", "Run row", self.run_selected_row, "Run every agent cell of the selected row"),
             ("cancel", "Cancel", self.cancel, "Stop the run; queued cells go back to empty")),
            (),  # the run options
            (("add", "Add agent column…", self.add_column, "A new column whose cells an agent fills"),
             ("plan", "New from prompt…", self.new_from_prompt, "Describe a task; the agent plans columns")),
            (("import", "Import CSV…", self.import_csv, "Open a CSV file as the sheet"),
             ("export", "Export CSV…", self.export_csv, "Save the sheet with its agent columns")),
        )  # fmt: skip
        for group in groups:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 12, 0)
            row.setSpacing(2)
            for name, text, slot, tip in group:
                action = QAction(text, self)
                action.setIconText(text)  # a tool button would drop the "…" that says a dialog follows
                action.setToolTip(tip)
                action.triggered.connect(slot)
                self.actions_by_name[name] = action
                button = QToolButton()
                button.setDefaultAction(action)
                button.setObjectName(f"sheet_{name}")
                self.tool_buttons[name] = button
                row.addWidget(button)
            if not group:
                self.with_dependents = QCheckBox("with dependents")
                self.with_dependents.setToolTip(
                    "Re-running a column or cell also re-runs the columns that read it"
                )
                self.with_dependents.setChecked(True)
                row.addWidget(self.with_dependents)
                row.addSpacing(8)
                label = QLabel("Concurrency")
                row.addWidget(label)
                self.concurrency = QSpinBox()
                self.concurrency.setRange(1, 64)
                self.concurrency.setValue(8)
                self.concurrency.setFixedWidth(76)
                self.concurrency.setToolTip("Rows run in parallel; applies to the next run")
                label.setBuddy(self.concurrency)
                row.addWidget(self.concurrency)
            bar.add(box)
        self.tool_buttons["all"].setStyleSheet("font-weight: 600;")  # the main action
        self.actions_by_name["cancel"].setEnabled(False)
        return bar

    # -- the sheet ------------------------------------------------------------------------------

    @property
    def sheet(self) -> Sheet | None:
        return self.model.sheet

    def set_sheet(self, sheet: Sheet) -> None:
        self._drop_executor()
        self.model.set_sheet(sheet)
        self._user_sized = False
        self._size_columns()
        self.drawer.hide()
        self.estimate_label.setText(self._estimate_text())
        self.sheet_loaded.emit()

    def load_csv(self, path: str | Path) -> None:
        run_call(lambda: import_csv(path), lambda sheet: self.set_sheet(sheet), self._show_error)  # type: ignore[arg-type]

    @Slot()
    def import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import CSV", str(DEMO_CSV.parent), "CSV files (*.csv)")
        if path:
            self.load_csv(path)

    @Slot()
    def export_csv(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export CSV", "enriched.csv", "CSV files (*.csv)")
        if path:
            run_call(lambda: export_csv(sheet, path), lambda out: self.live_label.setText(f"Exported {out}"),
                     self._show_error)  # fmt: skip

    @Slot()
    def add_column(self) -> None:
        if self.sheet is None:
            return
        dialog = AddColumnDialog(self.sheet.columns, self)
        if dialog.exec() and (column := dialog.column()) is not None:
            self._add_columns([column])

    @Slot()
    def new_from_prompt(self) -> None:
        if self.sheet is None:
            return
        dialog = PlanDialog(lambda request, names: plan_columns_with_llm(self.ctx.lab, request, names),
                            self.sheet.columns, self)  # fmt: skip
        if dialog.exec():
            self._add_columns(dialog.columns())

    def _add_columns(self, columns: list[Column]) -> None:
        assert self.sheet is not None
        try:
            for column in columns:
                self.sheet.add_column(column)
        except ValueError as exc:
            self._show_error(str(exc))
        self.estimate_label.setText(self._estimate_text())

    # -- running --------------------------------------------------------------------------------

    @Slot()
    def run_all(self) -> None:
        self._start("Run all", "all", lambda ex: ex.run_all())

    @Slot()
    def run_stale(self) -> None:
        self._start("Run stale", "stale", lambda ex: ex.run_stale())

    def run_column(self, name: str) -> None:
        deps = self.with_dependents.isChecked()
        self._start(f"Run column {name}", "column", lambda ex: ex.run_column(name, include_dependents=deps),
                    column=name, include_dependents=deps)  # fmt: skip

    def run_row(self, row: int) -> None:
        self._start(f"Run row {row + 1}", "row", lambda ex: ex.run_row(row), row=row)

    @Slot(int, str)
    def retry_cell(self, row: int, name: str) -> None:
        deps = self.with_dependents.isChecked()
        self._start(f"Run cell {name} · row {row + 1}", "cell",
                    lambda ex: ex.run_cell(row, name, include_dependents=deps),
                    row=row, column=name, include_dependents=deps)  # fmt: skip

    @Slot()
    def run_selected_column(self) -> None:
        index = self.table.currentIndex()
        if index.isValid() and self.model.column_at(index.column()).kind == "agent":
            self.run_column(self.model.column_at(index.column()).name)

    @Slot()
    def run_selected_row(self) -> None:
        if self.table.currentIndex().isValid():
            self.run_row(self.table.currentIndex().row())

    @Slot()
    def cancel(self) -> None:
        if self._executor is not None:
            self._executor.cancel()
        self._tick()

    @property
    def busy(self) -> bool:
        return bool(self._handles) or self._submitting > 0

    def _executor_for_run(self) -> SheetExecutor:
        assert self.sheet is not None
        executor = self._executor
        if executor is not None and not self.busy and executor.concurrency != self.concurrency.value():
            self._drop_executor()
            executor = None
        if executor is None:
            executor = self._executor = SheetExecutor(
                self.sheet, self.runner, concurrency=self.concurrency.value(),
                usd_per_1k_tokens=self.rates.usd_per_1k_prompt,
                usd_per_1k_completion_tokens=self.rates.usd_per_1k_completion,
            )  # fmt: skip
        return executor

    def _start(
        self, title: str, what: str, submit: Submit, *, confirmed: bool = False, **where: object
    ) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        executor = self._executor_for_run()
        runner, limit = self.runner, (None if confirmed else self.confirm_over_usd)

        def plan() -> tuple[Estimate, RunHandle | None]:
            planned = estimate(sheet, cells_for(sheet, what, **where), self.rates)  # type: ignore[arg-type]
            if limit is not None and planned.usd > limit:
                return planned, None
            if isinstance(runner, BatchedCellRunner):
                runner.start_batch(title)
            return planned, submit(executor)

        def planned(result: object) -> None:
            self._submitting -= 1
            planned_estimate, handle = result  # type: ignore[misc]
            if handle is None:
                answer = QMessageBox.question(
                    self, "Run cost", f"{title}: {planned_estimate.describe()}. Run it?"
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self._start(title, what, submit, confirmed=True, **where)
                self._tick()
                return
            self._handles.append(handle)
            self.estimate_label.setText(f"{title}: {planned_estimate.describe()} (estimate)")
            self._tick()

        def failed(message: str) -> None:
            self._submitting -= 1
            self._show_error(message)
            self._tick()

        self._submitting += 1
        self.status_label.setText("")
        self._update_actions()
        self._poll.start()
        run_call(plan, planned, failed)

    @Slot()
    def _tick(self) -> None:
        """Live counter and run completion: polled while something runs, never blocking."""
        for handle in [h for h in self._handles if h.done]:
            self._handles.remove(handle)
            total = handle.usage.report().total
            self._spent_tokens += total.total_tokens
            self._spent_usd += total.cost_usd
        live = [h.usage.report().total for h in self._handles]
        tokens = self._spent_tokens + sum(u.total_tokens for u in live)
        usd = self._spent_usd + sum(u.cost_usd for u in live)
        state = "running" if self.busy else "idle"
        self.live_label.setText(f"{state} · {tokens:,} tokens · ${usd:.4f} spent")
        self._update_actions()
        if not self.busy:
            self._poll.stop()
            if isinstance(self.runner, BatchedCellRunner):
                run_call(self.runner.end_batch)
            self.estimate_label.setText(self._estimate_text())
            self.run_finished.emit()

    def _update_actions(self) -> None:
        self.actions_by_name["cancel"].setEnabled(self.busy)
        for name in ("import", "add", "plan"):
            self.actions_by_name[name].setEnabled(not self.busy)

    def _estimate_text(self) -> str:
        """The footer: stale cells first (an input edit made them out of date), else what a full
        run would cost, else that everything is done."""
        sheet = self.sheet
        if sheet is None:
            return ""
        stale = sum(self.model.progress(name).get(CellState.STALE, 0) for name in sheet.agent_order())
        if len(sheet) > 2_000:  # large sheets get their estimate when a run starts
            return f"{stale:,} {_cells(stale)} stale — Run stale to refresh" if stale else ""
        if stale:
            planned = estimate(sheet, cells_for(sheet, "stale"), self.rates)
            return (f"{stale:,} {_cells(stale)} stale — Run stale to refresh "
                    f"({planned.total_tokens:,} tokens, ${planned.usd:.4f})")  # fmt: skip
        planned = estimate(sheet, cells_for(sheet, "all"), self.rates)
        return f"Run all would cost {planned.describe()}" if planned.cells else "Every agent cell is done"

    @Slot()
    def _note_cells_changed(self) -> None:
        """Cells changed outside a run (an input edit marked dependents stale): refresh the footer,
        at most every 150 ms; during a run the footer shows the run's own estimate."""
        if not self.busy and not self._footer_timer.isActive():
            self._footer_timer.start()

    @Slot()
    def _refresh_footer(self) -> None:
        if not self.busy:
            self.estimate_label.setText(self._estimate_text())

    @Slot()
    def _size_columns(self) -> None:
        """Inputs as wide as their content, narrowed (widest first) just enough that the first agent
        column is on screen at any window width; agent columns wide enough for their header line."""
        if self.model.columnCount() == 0:
            return
        header = self.table.horizontalHeader()
        self._sizing = True
        try:
            if self._wanted is None:  # measuring reads every row of every input: once per change
                inputs = [
                    s for s in range(self.model.columnCount()) if self.model.column_at(s).kind != "agent"
                ]
                self._wanted = {}
                for s in inputs:
                    floor = min(INPUT_MAX_WIDTH, max(INPUT_MIN_WIDTH, header.sectionSizeHint(s)))
                    want = min(INPUT_MAX_WIDTH, max(floor, self.table.sizeHintForColumn(s) + 12))
                    self._wanted[s] = (floor, want)
            floors = {s: fw[0] for s, fw in self._wanted.items()}
            wanted = {s: fw[1] for s, fw in self._wanted.items()}
            view = max(self.table.viewport().width(), 400)
            room = min(int(view * INPUT_SHARE), view - AGENT_WIDTH - 24)  # an agent column and more show
            widths = _fit_widths(wanted, floors, room)
            for section in range(self.model.columnCount()):
                self.table.setColumnWidth(section, widths.get(section, AGENT_WIDTH))
        finally:
            self._sizing = False

    @Slot()
    def _forget_widths(self, *_args: object) -> None:
        self._wanted = None

    @Slot(int, int, int)
    def _on_section_resized(self, _section: int, _old: int, _new: int) -> None:
        if not self._sizing:
            self._user_sized = True  # the person chose widths: leave them alone from now on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The table's viewport changed width (window resized): fit the columns again, unless the
        person sized them or the drawer just opened (columns must not jump under a click)."""
        if (watched is self.table.viewport() and event.type() == QEvent.Type.Resize
                and not self._user_sized and not self.drawer.isVisible()):  # fmt: skip
            self._size_columns()
        return super().eventFilter(watched, event)

    # -- provenance and menus ---------------------------------------------------------------------

    @Slot(QModelIndex)
    def show_provenance(self, index: QModelIndex) -> None:
        cell = self.model.cell(index)
        if cell is not None:
            self.drawer.show_cell(index.row(), self.model.column_at(index.column()), cell)

    @Slot()
    def _refresh_drawer(self) -> None:
        if self.drawer.isVisible() and self.sheet is not None and self.drawer.row >= 0:
            section = self.model.section_of(self.drawer.column_name)
            self.show_provenance(self.model.index(self.drawer.row, section))

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        column = self.model.column_at(index.column())
        menu = QMenu(self)
        if column.kind == "agent":
            menu.addAction("Run cell", lambda: self.retry_cell(index.row(), column.name))
            menu.addAction(f"Run column “{column.name}”", lambda: self.run_column(column.name))
        menu.addAction(f"Run row {index.row() + 1}", lambda: self.run_row(index.row()))
        menu.addAction("Show provenance", lambda: self.show_provenance(index))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _show_error(self, message: str) -> None:
        self.status_label.setText(message)

    def _drop_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def shutdown(self) -> None:
        self._poll.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self.ctx.profile_changed.disconnect(self._on_profile_changed)
        self._drop_executor()
        self.model.close()
        if isinstance(self.runner, BatchedCellRunner):
            with contextlib.suppress(EngineError):  # the engine may be gone already at shutdown
                self.runner.end_batch()
