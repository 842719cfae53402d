"""The Memory Lab fits a 1024x640 window: no page scroll bar, Run always visible, the results
table readable without scrolling sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QSettings  # noqa: E402

from agent_core.memlab.results import QuestionRow  # noqa: E402
from agent_core.memlab.strategies import PRESETS  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.theme import apply_theme  # noqa: E402
from ui_patterns.common import LabContext  # noqa: E402

SMALL = (1024, 640)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_page_fits_1024_by_640(qtbot, qapp, lab, tmp_path: Path, theme: str) -> None:  # noqa: ANN001
    apply_theme(qapp, theme)
    ctx = LabContext(lab)
    win = MainWindow(
        ctx, initial="memlab", window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(win)
    win.resize(*SMALL)
    win.show()
    qtbot.waitUntil(lambda: win.current_page() is not None and hasattr(win.current_page(), "controls"))
    page = win.current_page()
    page.model.set_rows(
        [QuestionRow(name, "q", "extraction", recall={5: 0.5, 10: 1.0, 25: 1.0}, f1=0.5, contains=1.0,
                     latency_ms=1234.0, tokens=1500, staleness_ms=12000.0) for name in PRESETS]
    )  # fmt: skip
    qtbot.wait(50)
    host = win.stack.currentWidget()
    need, room = page.minimumSizeHint(), host.viewport().size()
    assert need.width() <= room.width() and need.height() <= room.height(), (need, room)
    assert not host.horizontalScrollBar().isVisible() and not host.verticalScrollBar().isVisible()
    run = page.controls.run_button
    corner = run.mapTo(win, QPoint(run.width(), run.height()))
    assert win.rect().contains(corner), "Run is cut off"
    table, keys = page.table, page.model.metric_keys()
    shown = sum(table.columnWidth(c) for c in range(keys.index("staleness_ms") + 1))
    assert shown <= table.viewport().width(), "recall … staleness need the sideways scroll bar"
    assert not page.controls.problems.isVisible()  # no empty "Import problems" box
    win.shutdown()
    ctx.close()
