"""Every page fits a 1024x640 window: no page makes the window grow, none needs its host to scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.main_window import MainWindow
from desktop.patterns import PATTERNS
from desktop.theme import apply_theme

SMALL = (1024, 640)
FITTING = [e.key for e in PATTERNS]  # every page, a new one included


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("key", FITTING)
def test_the_page_fits_1024_by_640(qtbot, qapp, ctx, tmp_path: Path, key: str, theme: str) -> None:  # noqa: ANN001
    apply_theme(qapp, theme)  # the stylesheet's paddings decide the sizes
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, initial=key, window_state=state)
    qtbot.addWidget(win)
    win.resize(*SMALL)
    win.show()
    qtbot.wait(50)
    host = win.stack.currentWidget()
    page = win.current_page()
    assert (win.width(), win.height()) == SMALL
    need, room = page.minimumSizeHint(), host.viewport().size()
    assert need.width() <= room.width(), f"{key} needs {need.width()} px wide, has {room.width()}"
    assert need.height() <= room.height(), f"{key} needs {need.height()} px high, has {room.height()}"
    assert not host.horizontalScrollBar().isVisible() and not host.verticalScrollBar().isVisible()
    win.shutdown()
