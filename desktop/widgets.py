"""Small shell widgets: a label that elides instead of widening the window, and the page host.

Both exist for one rule: nothing in the shell may force the window wider or taller than a
1024×640 screen. A long status or subtitle elides (full text on hover); a page whose content is
taller than the space left scrolls inside its host instead of growing the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

MIN_ELIDED_CHARS = 6


class ElidedLabel(QLabel):
    """A one-line label that shrinks to a few characters and elides the rest (tooltip: all of it)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._own_tip = ""
        self._sync_tip()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._sync_tip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._own_tip = tip
        self._sync_tip()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        m = self.contentsMargins()
        narrow = self.fontMetrics().horizontalAdvance("x" * MIN_ELIDED_CHARS) + m.left() + m.right()
        return QSize(min(hint.width(), narrow), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._sync_tip()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            text,
            self.foregroundRole(),
        )

    def _sync_tip(self) -> None:
        tip = self._own_tip or (self.text() if self.is_elided() else "")
        QLabel.setToolTip(self, tip)


class PageHost(QScrollArea):
    """Hosts one page: it fills the host, and scrolls only when the window is smaller than the
    page's own minimum size (so a page can never make the window grow past the screen)."""

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageHost")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(page)
        self.page = page

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(120, 120)
