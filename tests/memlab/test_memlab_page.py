"""The Memory Lab page: a tiny run to completion (every metric, charts, drill-down, earlier runs),
cancel, plain errors for a missing or malformed dataset file, and the results table's shape."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from agent_core.memlab.results import QuestionRow  # noqa: E402
from ui_patterns.common import LabContext  # noqa: E402
from ui_patterns.memlab.page import MemLabPage, MemoryLabPage  # noqa: E402

RUN_TIMEOUT_MS = 120_000


@pytest.fixture
def page(qtbot, lab, work_dir, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(tempfile, "tempdir", str(work_dir))  # the strategies' data dirs
    monkeypatch.setenv("TMPDIR", str(work_dir))  # … in the run's child process too
    ctx = LabContext(lab)
    view = MemoryLabPage(ctx)
    qtbot.addWidget(view)
    yield view
    view.shutdown()
    if view.worker is not None:
        qtbot.waitUntil(lambda: view.worker is None, timeout=30000)
    ctx.close()


def choose(page: MemoryLabPage, names: set[str]) -> None:
    for name, box in page.controls.checks.items():
        box.setChecked(name in names)


def test_run_to_completion_shows_every_metric_charts_and_drilldown(qtbot, page: MemoryLabPage) -> None:  # noqa: ANN001
    assert MemLabPage is MemoryLabPage
    controls = page.controls
    controls.size.setCurrentText("1")
    choose(page, {"off", "semantic"})
    controls.ks.setText("5,10")
    page.start_run()
    assert not controls.run_button.isEnabled() and controls.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: page.worker is None, timeout=RUN_TIMEOUT_MS)
    assert "finished" in page.status.text(), page.status.text()
    model = page.model
    assert model.rowCount() == 2
    assert model.metric_keys() == [
        "recall@5", "recall@10", "f1", "contains", "latency_ms", "tokens", "staleness_ms", "exact"
    ]  # fmt: skip
    contains = model.data(model.index(1, model.metric_keys().index("contains")))
    assert contains and float(contains) >= 0
    assert controls.progress.value() == 1000 and controls.run_button.isEnabled()
    qtbot.waitUntil(lambda: all(chart.has_image() for chart in page.charts.values()), timeout=10_000)
    assert page.questions.count() > 0
    page.questions.setCurrentRow(0)
    text = page.drill.toPlainText()
    assert "Gold" in text and "semantic" in text and "off" in text and "contain" in text
    assert controls.runs.count() == 1
    model.set_rows([])
    opened = page.open_run(page.runs_dir / controls.runs.item(0).text())
    qtbot.waitUntil(lambda: not opened.running and model.rowCount() == 2, timeout=10_000)
    assert page.category_box.count() > 2  # "all categories" and each category of the run


def test_cancel_stops_the_run(qtbot, page: MemoryLabPage) -> None:  # noqa: ANN001
    page.controls.size.setCurrentText("large")
    choose(page, {"semantic", "background"})
    page.start_run()
    qtbot.waitUntil(lambda: page.controls.progress.value() > 0, timeout=RUN_TIMEOUT_MS)
    page.cancel_run()
    qtbot.waitUntil(lambda: page.worker is None, timeout=RUN_TIMEOUT_MS)
    assert "cancelled" in page.status.text(), page.status.text()
    assert page.controls.run_button.isEnabled()
    assert page.controls.runs.count() == 0  # a cancelled run writes no results


def test_bad_k_values_are_explained(page: MemoryLabPage) -> None:
    page.controls.ks.setText("five")
    page.start_run()
    assert page.worker is None and "k values" in page.status.text()


def test_locomo_without_a_file_says_so_and_runs_nothing(page: MemoryLabPage) -> None:
    """It used to start, then print "FileNotFoundError: no such file: ." and a traceback."""
    controls = page.controls
    controls.set_kind("locomo")
    assert not controls.run_button.isEnabled()
    assert controls.source_hint.text() == "Choose a LoCoMo JSON file first."
    assert not controls.source_hint.isHidden() and not controls.problems.isVisible()
    page.start_run()
    assert page.worker is None and page.status.text() == "Cannot run: Choose a LoCoMo JSON file first."
    controls.set_kind("scenario")
    assert controls.run_button.isEnabled() and controls.source_hint.isHidden()


def test_a_malformed_file_names_the_problem(qtbot, page: MemoryLabPage, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "broken.json"
    bad.write_text('[{"sample_id": 1, "conversation": {')
    page.controls.set_kind("locomo")
    page.controls.path.setText(str(bad))
    assert page.controls.run_button.isEnabled()  # it exists: only reading it can tell
    page.start_run()
    qtbot.waitUntil(lambda: page.worker is None, timeout=RUN_TIMEOUT_MS)
    status = page.status.text()
    assert status.startswith("Run failed: ") and "broken.json: not valid JSON" in status, status
    assert "Traceback" not in status and "Error:" not in status


def test_results_table_has_every_metric_with_tooltips(page: MemoryLabPage) -> None:
    rows = [
        QuestionRow(
            "semantic", f"q{i}", cat, recall={5: 1.0}, f1=0.57, contains=1.0, latency_ms=400.0, tokens=90
        )
        for i, cat in enumerate(["extraction", "temporal"])
    ]
    page.model.set_rows(rows)
    model = page.model
    labels = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert labels[:3] == ["recall\n@5", "F1", "contains"] and "latency\nms" in labels
    assert "gold" in model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, 1)) == "0.57" and model.data(model.index(0, 2)) == "1.00"
    assert model.data(model.index(0, labels.index("stale\nms"))) == "–"
    page._sync_categories()
    page.category_box.setCurrentIndex(page.category_box.findData("temporal"))
    assert (
        model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
        == "F1 0.570: mean over 1 questions in temporal"
    )
