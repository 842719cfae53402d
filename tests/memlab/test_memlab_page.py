"""The Memory Lab page: a tiny run to completion (rows, charts, drill-down, earlier runs); cancel."""

from __future__ import annotations

import tempfile

import pytest

pytest.importorskip("pytestqt")

from ui_patterns.common import LabContext  # noqa: E402
from ui_patterns.memlab.page import MemLabPage, MemoryLabPage  # noqa: E402


@pytest.fixture
def page(qtbot, lab, work_dir, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(tempfile, "tempdir", str(work_dir))  # the strategies' data dirs
    ctx = LabContext(lab)
    view = MemoryLabPage(ctx)
    qtbot.addWidget(view)
    yield view
    view.shutdown()
    if view.worker is not None:
        qtbot.waitUntil(lambda: view.worker is None, timeout=30000)
    ctx.close()


def _choose(page: MemoryLabPage, names: set[str]) -> None:
    for name, box in page.checks.items():
        box.setChecked(name in names)


def test_run_to_completion_shows_rows_charts_and_drilldown(qtbot, page: MemoryLabPage) -> None:  # noqa: ANN001
    assert MemLabPage is MemoryLabPage
    page.size.setCurrentText("1")
    _choose(page, {"off", "semantic"})
    page.ks.setText("5,10")
    page.start_run()
    assert not page.run_button.isEnabled() and page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: page.worker is None, timeout=60000)
    assert "finished" in page.status.text(), page.status.text()
    assert page.model.rowCount() == 2 and page.model.columnCount() > 2
    assert page.progress.value() == 1000
    assert all(not label.pixmap().isNull() for label in page.charts.values())
    assert page.questions.count() > 0
    page.questions.setCurrentRow(0)
    text = page.drill.toPlainText()
    assert "Gold" in text and "semantic" in text and "off" in text
    assert page.runs.count() == 1
    page.model.set_rows([])
    page.open_run(page.runs_dir / page.runs.item(0).text())
    assert page.model.rowCount() == 2


def test_cancel_stops_the_run(qtbot, page: MemoryLabPage) -> None:  # noqa: ANN001
    page.size.setCurrentText("large")
    _choose(page, {"semantic", "background"})
    page.start_run()
    page.cancel_run()
    qtbot.waitUntil(lambda: page.worker is None, timeout=60000)
    assert "cancelled" in page.status.text(), page.status.text()
    assert page.run_button.isEnabled()
    assert page.runs.count() == 0  # a cancelled run writes no results


def test_bad_k_values_are_explained(page: MemoryLabPage) -> None:
    page.ks.setText("five")
    page.start_run()
    assert page.worker is None and "k values" in page.status.text()
