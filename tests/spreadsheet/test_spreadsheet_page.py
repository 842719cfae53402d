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
