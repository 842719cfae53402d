"""SpreadsheetPage on the demo sheet: run all, cancel, provenance drawer, retry of a failed cell."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent_core.lab import Lab
from agent_core.sheet import CellResult, CellState, Column, SimCellRunner
from ui_patterns.common.context import LabContext
from ui_patterns.common.workers import wait_for_workers
from ui_patterns.spreadsheet.column_dialog import AddColumnDialog
from ui_patterns.spreadsheet.page import SpreadsheetPage


class FlakyRunner:
    """Fails the first call for prompts containing `word`, then answers like the simulator."""

    def __init__(self, word: str, delay_s: float = 0.0) -> None:
        self.word = word
        self.inner = SimCellRunner(delay_s=delay_s)
        self.failed: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult:
        with self.lock:
            fail = self.word in prompt and prompt not in self.failed
            self.failed.add(prompt)
        if fail:
            raise TimeoutError("simulated provider timeout")
        return self.inner(prompt, column, row_values)


@pytest.fixture
def engine_kind() -> str:
    return "local"


@pytest.fixture
def make_page(engine_kind: str, tmp_path: Path, settings, qtbot: QtBot) -> Iterator:  # noqa: ANN001
    """Pages over a Lab whose cells run in this process, or in the engine's child as in the app."""
    lab = Lab(tmp_path / "data", settings, chroma_process=engine_kind == "process")
    lab.warm_up()
    ctx = LabContext(lab)
    pages: list[SpreadsheetPage] = []

    def make(**kwargs: object) -> SpreadsheetPage:
        page = SpreadsheetPage(ctx, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(page)
        page.resize(1200, 600)
        page.show()
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.shutdown()
    wait_for_workers(10)
    ctx.close()
    lab.close()


def _agent_states(page: SpreadsheetPage) -> set[CellState]:
    sheet = page.sheet
    assert sheet is not None
    return {sheet.cell(r, c).state for r in range(len(sheet)) for c in sheet.agent_order()}


def _click(qtbot: QtBot, page: SpreadsheetPage, row: int, name: str) -> None:
    index = page.model.index(row, page.model.section_of(name))
    page.table.scrollTo(index)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_run_all_on_the_demo_sheet_completes_and_the_drawer_shows_the_prompt(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page()
    assert page.model.rowCount() == 12 and "Run all would cost ≈ 60 cells" in page.estimate_label.text()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_all()
    assert _agent_states(page) == {CellState.DONE}
    qtbot.waitUntil(lambda: page.model.progress("Email").get(CellState.DONE) == 12, timeout=5_000)
    assert "tokens" in page.live_label.text() and "$" in page.live_label.text()
    _click(qtbot, page, 0, "Industry")
    assert page.drawer.isVisible()
    assert page.drawer.prompt.toPlainText() == "Industry of Northwind Analytics"
    assert page.drawer.fields["run"].text() not in ("", "—") and page.drawer.fields["step"].text() != "—"
    assert "[[task:sheet_cell]]" in page.drawer.system.toPlainText()


def test_cancel_puts_queued_cells_back(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page(runner=SimCellRunner(delay_s=0.05))
    page.concurrency.setValue(1)
    page.run_all()
    qtbot.waitUntil(lambda: CellState.DONE in _agent_states(page), timeout=10_000)
    assert page.actions_by_name["cancel"].isEnabled()
    with qtbot.waitSignal(page.run_finished, timeout=10_000):
        page.cancel()
    states = _agent_states(page)
    assert CellState.EMPTY in states and not states & {CellState.QUEUED, CellState.RUNNING}
    assert not page.actions_by_name["cancel"].isEnabled()


def test_an_error_cell_shows_its_reason_and_retries(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page(runner=FlakyRunner("Summary of Helix"))
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_all()
    sheet = page.sheet
    assert sheet.cell(2, "Summary").state == CellState.ERROR
    assert sheet.cell(2, "Email").state == CellState.SKIPPED  # it reads {Summary}
    assert sheet.cell(3, "Summary").state == CellState.DONE  # independent cells still ran
    qtbot.waitUntil(lambda: page.model.progress("Summary").get(CellState.ERROR) == 1, timeout=5_000)
    assert "1 !" in page.model.headerData(page.model.section_of("Summary"), Qt.Orientation.Horizontal)
    _click(qtbot, page, 2, "Summary")
    assert "simulated provider timeout" in page.drawer.error.text() and page.drawer.retry.isVisible()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        qtbot.mouseClick(page.drawer.retry, Qt.MouseButton.LeftButton)
    assert sheet.cell(2, "Summary").state == CellState.DONE
    assert sheet.cell(2, "Email").state == CellState.DONE  # "with dependents" re-ran the chain
    qtbot.waitUntil(lambda: page.drawer.state.text().find("done") >= 0, timeout=5_000)


def test_add_column_dialog_validates_references_live(qtbot: QtBot) -> None:
    dialog = AddColumnDialog([Column("Company"), Column("Website")])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.name.setText("HQ")
    dialog.prompt.setPlainText("Headquarters of {Compny}")
    assert not ok.isEnabled() and "Unknown column {Compny}" in dialog.status.text()
    dialog.prompt.setPlainText("Headquarters of ")
    dialog.prompt.moveCursor(dialog.prompt.textCursor().MoveOperation.End)
    qtbot.keyClicks(dialog.prompt, "{Com")
    assert dialog.prompt.completer.currentCompletion() == "Company"
    dialog.prompt.insert_reference("Company")
    assert dialog.prompt.toPlainText() == "Headquarters of {Company}"
    assert ok.isEnabled() and dialog.column().prompt == "Headquarters of {Company}"


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_cells_follow_the_profile_chosen_in_the_app(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    from memory.models import Memory

    page = make_page()
    lab = page.ctx.lab
    lab.store.add(Memory(namespace=page.ctx.profile, content="Signs emails as Ada from Northwind"))
    lab.store.add(Memory(namespace="sales", content="Signs emails as Bob from Northwind"))
    column = Column("Email", "agent", "Email to {Contact}", "text")
    prompt = "Email to Grace, signed for Northwind"
    assert [m["content"] for m in page.runner(prompt, column, {}).memory_used] == [
        "Signs emails as Ada from Northwind"
    ]
    page.ctx.set_profile("sales")  # the profile box in the window
    assert [m["content"] for m in page.runner(prompt, column, {}).memory_used] == [
        "Signs emails as Bob from Northwind"
    ]


def _inside(page: SpreadsheetPage, widget) -> bool:  # noqa: ANN001
    """The widget is shown and drawn wholly inside the page (not clipped, not in an overflow)."""
    top_left = widget.mapTo(page, widget.rect().topLeft())
    rect = widget.rect().translated(top_left)
    return widget.isVisible() and rect.width() > 10 and page.rect().contains(rect)


@pytest.mark.parametrize("width", [1000, 800])
def test_every_toolbar_control_is_visible_in_a_narrow_window(make_page, qtbot: QtBot, width: int) -> None:  # noqa: ANN001
    """A 1024 px window leaves the page ~800 px: the run controls wrap, none hides in an overflow."""
    page = make_page()
    page.resize(width, 520)
    qtbot.waitUntil(lambda: page.toolbar.width() <= width, timeout=2_000)
    for name, button in page.tool_buttons.items():
        assert _inside(page, button), name
        assert button.defaultAction() is page.actions_by_name[name]
    assert _inside(page, page.concurrency) and _inside(page, page.with_dependents)
    assert page.toolbar.lines() >= (2 if width == 800 else 1)
    # the wrapped line pushes the table down
    table_top = lambda: page.table.mapTo(page, page.table.rect().topLeft()).y()  # noqa: E731
    qtbot.waitUntil(lambda: table_top() > page.toolbar.geometry().bottom(), timeout=2_000)


def test_the_first_agent_column_is_on_screen_at_1024(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page()
    page.resize(800, 520)
    first_agent = page.model.section_of(page.sheet.agent_order()[0])

    def visible() -> bool:
        rect = page.table.visualRect(page.model.index(0, first_agent))
        return page.table.viewport().rect().contains(rect)

    qtbot.waitUntil(visible, timeout=2_000)
    company = page.model.index(0, page.model.section_of("Company"))
    assert page.table.visualRect(company).left() >= 0  # sized to fit, not scrolled past the names
    assert page.model.data(company, Qt.ItemDataRole.ToolTipRole) == "Northwind Analytics"  # elided: tooltip


def test_after_an_input_edit_the_footer_counts_the_stale_cells(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_all()
    qtbot.waitUntil(lambda: page.estimate_label.text() == "Every agent cell is done", timeout=5_000)
    company = page.model.index(0, page.model.section_of("Company"))
    assert page.model.setData(company, "Northwind Analytics GmbH")
    stale = {c for c in page.sheet.agent_order() if page.sheet.cell(0, c).state == CellState.STALE}
    assert stale == {"Industry", "Employees", "Summary", "Email"}  # Reachable reads only {Website}
    qtbot.waitUntil(
        lambda: "4 cells stale — Run stale to refresh" in page.estimate_label.text(), timeout=5_000
    )
    assert "Every agent cell is done" not in page.estimate_label.text()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_stale()
    qtbot.waitUntil(lambda: page.estimate_label.text() == "Every agent cell is done", timeout=5_000)


def test_provenance_run_and_step_are_links_that_open_the_run(make_page, qtbot: QtBot) -> None:  # noqa: ANN001
    page = make_page()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_all()
    _click(qtbot, page, 0, "Industry")
    prov = page.sheet.cell(0, "Industry").provenance
    run_field, step_field = page.drawer.fields["run"], page.drawer.fields["step"]
    assert f"href='run:{prov['run_id']}'" in run_field.text() and prov["run_id"][:12] in run_field.text()
    assert f"href='run:{prov['run_id']}'" in step_field.text() and prov["step_id"][:12] in step_field.text()
    assert prov["run_id"] in run_field.toolTip() and prov["step_id"] in step_field.toolTip()
    for field in (run_field, step_field):
        with qtbot.waitSignal(page.open_run, timeout=2_000) as opened:
            pos = field.rect().topLeft() + field.contentsRect().topLeft()
            qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=pos + type(pos)(12, 8))
        assert opened.args == [prov["run_id"]]


def test_the_shell_opens_a_provenance_run_in_the_traces_page(make_page, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow

    page = make_page()
    with qtbot.waitSignal(page.run_finished, timeout=30_000):
        page.run_all()
    run_id = page.sheet.cell(0, "Industry").provenance["run_id"]
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = MainWindow(page.ctx, initial="spreadsheet", window_state=state)
    qtbot.addWidget(win)
    shown = win.pages["spreadsheet"]
    shown.drawer.open_run.emit(run_id)  # what a click on the Run link does
    assert win.current_key() == "traces"
    traces = win.pages["traces"]  # the runs load off the GUI thread; the run is selected on arrival
    qtbot.waitUntil(lambda: traces.selected_run_id() == run_id, timeout=10_000)
    win.shutdown()


def test_the_plan_dialog_replaces_planning_with_the_answer(qtbot: QtBot) -> None:
    from ui_patterns.spreadsheet.plan_dialog import PlanDialog

    def plan(request: str, names: list[str]) -> list[Column]:
        return [Column("Greeting", "agent", "Greeting for {Company}", "text")]

    dialog = PlanDialog(plan, [Column("Company")])
    qtbot.addWidget(dialog)
    dialog.request.setText("Greet each <company>")
    with qtbot.waitSignal(dialog.planned, timeout=5_000):
        dialog.ask()
        assert "Planning…" in dialog.transcript.toPlainText()
    text = dialog.transcript.toPlainText()
    assert "Planning…" not in text and "1 column: Greeting" in text and "Greet each <company>" in text
    assert dialog.add_button.isEnabled() and dialog.send.isEnabled()
    dialog.request.setText("again")
    with qtbot.waitSignal(dialog.planned, timeout=5_000):
        dialog.ask()
    assert "Planning…" not in dialog.transcript.toPlainText()
    assert dialog.transcript.toPlainText().count("1 column: Greeting") == 2
