"""The screenshot gallery builds and saves (a smoke test for every component in every state)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ui_patterns.genui.gallery import dark_palette, save_gallery


def test_gallery_saves_a_dark_screenshot(qapp: QApplication, tmp_path: Path) -> None:
    original = qapp.palette()
    try:
        path = save_gallery(tmp_path, "dark", dark_palette())
    finally:
        QApplication.setPalette(original)
    image = QImage(str(path))
    assert image.width() >= 1000 and image.height() > image.width()
