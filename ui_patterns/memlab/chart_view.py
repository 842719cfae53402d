"""A chart PNG scaled to the width it is given (keeping its aspect), decoded off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui_patterns.common.workers import run_call

MIN_HEIGHT = 120


def read_image(path: Path, width: int) -> tuple[QImage, QImage]:
    """Decode a PNG and scale it to `width` (QImage is safe off the GUI thread; QPixmap is not)."""
    image = QImage(str(path))
    if image.isNull():
        return image, image
    return image, image.scaledToWidth(min(width, image.width()), Qt.TransformationMode.SmoothTransformation)


class ChartView(QLabel):
    """Shows a placeholder text until `load(path)` has decoded the chart on a worker.

    The image is scaled smoothly to the widget's width (on the worker at first, again on the GUI
    thread only when the width changes), so a 1000-px chart stays legible in a 550-px column and
    the tab scrolls vertically instead of cropping it.
    """

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setProperty("role", "empty")
        self.setMinimumHeight(MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._image = QImage()
        self._scaled = QPixmap()
        self.path: Path | None = None

    def has_image(self) -> bool:
        return not self._image.isNull()

    def load(self, path: Path) -> None:
        self.path = path
        width = max(MIN_HEIGHT, self.width())
        run_call(lambda: read_image(path, width), lambda images: self._loaded(path, *images))  # type: ignore[misc]

    def clear_chart(self, placeholder: str) -> None:
        self.path = None
        self._image, self._scaled = QImage(), QPixmap()
        self.setText(placeholder)
        self.updateGeometry()

    def _loaded(self, path: Path, image: QImage, scaled: QImage) -> None:
        if path != self.path or image.isNull():
            return
        self._image, self._scaled = image, QPixmap.fromImage(scaled)
        self.setText("")
        self.updateGeometry()
        self.update()

    # -- Qt overrides -----------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return self.has_image()

    def heightForWidth(self, width: int) -> int:
        if not self.has_image():
            return super().heightForWidth(width)
        return max(MIN_HEIGHT, round(self._image.height() * min(1.0, width / self._image.width())))

    def sizeHint(self) -> QSize:
        if not self.has_image():
            return super().sizeHint()
        return QSize(self._image.width() // 2, self.heightForWidth(self._image.width() // 2))

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.has_image():
            super().paintEvent(event)
            return
        width = min(self.width(), self._image.width())
        if self._scaled.isNull() or self._scaled.width() != width:
            self._scaled = QPixmap.fromImage(
                self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
        painter = QPainter(self)
        painter.drawPixmap((self.width() - self._scaled.width()) // 2, 0, self._scaled)
        painter.end()
