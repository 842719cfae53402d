"""SheetModel: worker-thread changes reach the GUI thread coalesced; 10,000 rows stay cheap."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from agent_core.sheet import CellState, Column, Sheet, SheetExecutor, SimCellRunner
from ui_patterns.spreadsheet.model import CELLWISE_UPDATES, STATE_ROLE, SheetModel


def _big_sheet(rows: int) -> Sheet:
    sheet = Sheet([Column("Company"), Column("Size", "agent", "Number of employees at {Company}", "number")])
    for i in range(rows):
        sheet.add_row({"Company": f"Company {i}"})
    return sheet


def test_ten_thousand_rows_load_and_a_column_run_updates_cells_coalesced(qtbot) -> None:  # noqa: ANN001
    sheet = _big_sheet(10_000)
    model = SheetModel(sheet)
    assert model.rowCount() == 10_000 and model.columnCount() == 2
    assert model.headerData(1, Qt.Orientation.Horizontal).startswith("✦ Size\nnumber · 0/10000 ✓")
    emissions: list[int] = []
    model.dataChanged.connect(lambda *_args: emissions.append(1))
    flushes: list[int] = []
    signalled: list[int] = []  # dataChanged emissions so far, at each flush
    model.flushed.connect(lambda n: (flushes.append(n), signalled.append(len(emissions))))
    with SheetExecutor(sheet, SimCellRunner(), concurrency=8) as executor:
        executor.run_column("Size")
        qtbot.waitUntil(lambda: model.progress("Size").get(CellState.DONE) == 10_000, timeout=30_000)
    assert sum(flushes) >= 10_000  # every changed cell was refreshed…
    assert len(flushes) < 3_000  # …in far fewer passes than the 30,000 changes
    per_flush = [b - a for a, b in zip([0, *signalled], signalled, strict=False)]
    assert max(per_flush) <= CELLWISE_UPDATES  # a few cells one by one, a burst as one range per column
    index = model.index(9_999, 1)
    assert model.data(index, STATE_ROLE) == CellState.DONE and model.data(index) != ""
    assert model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert model.tokens("Size") > 0
    model.close()


def test_rows_added_on_a_worker_thread_are_inserted_on_the_gui_thread(qtbot) -> None:  # noqa: ANN001
    sheet = _big_sheet(3)
    model = SheetModel(sheet)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    thread = threading.Thread(target=lambda: [sheet.add_row({"Company": f"New {i}"}) for i in range(50)])
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: model.rowCount() == 53, timeout=5_000)
    assert inserted[0][0] == 3 and inserted[-1][1] == 52 and len(inserted) <= 3
    assert model.progress("Size") == {CellState.EMPTY: 53}
    model.close()


def test_editing_an_input_marks_its_dependents_stale(qtbot) -> None:  # noqa: ANN001
    sheet = _big_sheet(2)
    model = SheetModel(sheet)
    with SheetExecutor(sheet, SimCellRunner(), concurrency=2) as executor:
        assert executor.run_all().wait(10)
    qtbot.waitUntil(lambda: model.progress("Size").get(CellState.DONE) == 2, timeout=5_000)
    assert model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags
    assert model.setData(model.index(0, 0), "Kumo Robotics")
    qtbot.waitUntil(lambda: model.progress("Size").get(CellState.STALE) == 1, timeout=5_000)
    assert model.data(model.index(0, 1), STATE_ROLE) == CellState.STALE
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is not None
    model.close()


def test_a_new_column_is_inserted_and_bounds_are_checked(qtbot) -> None:  # noqa: ANN001
    sheet = _big_sheet(2)
    model = SheetModel(sheet)
    sheet.add_column(Column("Founded", "agent", "Year {Company} was founded", "number"))
    qtbot.waitUntil(lambda: model.columnCount() == 3, timeout=5_000)
    assert "Founded" in model.headerData(2, Qt.Orientation.Horizontal)
    assert model.data(model.index(5, 0)) is None and model.headerData(9, Qt.Orientation.Horizontal) is None
    model.set_sheet(None)
    assert model.rowCount() == 0
    model.close()
