"""The document page fits a 1024x640 window in both themes: no horizontal scroll, every tab readable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

SMALL = (1024, 640)


@pytest.fixture
def restore_look(qapp) -> Iterator[None]:  # noqa: ANN001
    sheet, palette, style = qapp.styleSheet(), qapp.palette(), qapp.style().name()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_document_page_fits_1024_by_640(qtbot, qapp, lab, tmp_path: Path, theme, restore_look) -> None:  # noqa: ANN001
    from desktop.main_window import MainWindow
    from desktop.theme import apply_theme
    from ui_patterns.common import LabContext
    from ui_patterns.common.workers import active_workers

    apply_theme(qapp, theme)  # the stylesheet's paddings decide the sizes
    ctx = LabContext(lab)
    win = MainWindow(
        ctx, initial="collab", window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(win)
    win.resize(*SMALL)
    win.show()
    qtbot.wait(50)
    page, host = win.current_page(), win.stack.currentWidget()
    assert page.minimumSizeHint().width() <= host.viewport().width()
    assert not host.horizontalScrollBar().isVisible() and not host.verticalScrollBar().isVisible()
    bar = page.tabs.tabBar()
    for i in range(bar.count()):  # each tab whole, inside the bar, its text not elided
        rect = bar.tabRect(i)
        assert rect.right() < bar.width() and rect.right() < page.tabs.width(), bar.tabText(i)
        assert rect.width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i)), bar.tabText(i)
    buttons = [*page.action_buttons.values(), page.review_button, page.undo_button, page.redo_button]
    for button in buttons:  # the toolbar wraps rather than clipping a button
        assert button.isVisible() and button.width() >= button.sizeHint().width(), button.text()
        right = button.mapTo(page, button.rect().topRight()).x()
        assert right <= page.width(), button.text()
    win.shutdown()
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
