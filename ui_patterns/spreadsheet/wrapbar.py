"""A toolbar that wraps its groups onto more lines instead of hiding them behind an overflow arrow.

Its height follows its width, but it does not report height-for-width to the page: a scroll area
hosting the page would then size the whole page to its preferred height (and scroll it). The bar
sets its own minimum height on resize instead.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui_patterns.genui.flow import FlowLayout


class _Flow(FlowLayout):
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


class WrapBar(QWidget):
    """Add widgets (groups) with `add`; they fill a line left to right and wrap."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self.flow = _Flow(self, spacing=spacing)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def add(self, widget: QWidget) -> None:
        self.flow.addWidget(widget)
        self._fit(self.width())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = max(self.width(), self.flow.minimumSize().width())
        return QSize(width, self.flow.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.flow.minimumSize().width(), self.minimumHeight())

    def lines(self) -> int:
        """How many lines the groups take at the current width (tests and screenshots)."""
        tops = {self.flow.itemAt(i).geometry().top() for i in range(self.flow.count())}
        return len(tops)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit(event.size().width())

    def _fit(self, width: int) -> None:
        height = self.flow.heightForWidth(max(1, width))
        if height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
