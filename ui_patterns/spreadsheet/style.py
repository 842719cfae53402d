"""How cell states look: a tint, a glyph and a word per state, readable in light and dark palettes."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap

from agent_core.sheet import CellState

GLYPHS: dict[CellState, str] = {
    CellState.EMPTY: "○",
    CellState.QUEUED: "…",
    CellState.RUNNING: "⟳",
    CellState.DONE: "✓",
    CellState.STALE: "↻",
    CellState.ERROR: "!",
    CellState.SKIPPED: "⤼",
}
# Saturated glyph colours; the cell tint is the same hue, very light (or very dark in dark mode).
ACCENTS: dict[CellState, str] = {
    CellState.EMPTY: "#8a93a3",
    CellState.QUEUED: "#6c7a96",
    CellState.RUNNING: "#2f6fde",
    CellState.DONE: "#2e8b57",
    CellState.STALE: "#b9770e",
    CellState.ERROR: "#c0392b",
    CellState.SKIPPED: "#7f8c8d",
}
_TINT_LIGHT: dict[CellState, str] = {
    CellState.QUEUED: "#eef1f6",
    CellState.RUNNING: "#e3edfd",
    CellState.STALE: "#fdf3e1",
    CellState.ERROR: "#fbe5e3",
    CellState.SKIPPED: "#f0f1f2",
}
_TINT_DARK: dict[CellState, str] = {
    CellState.QUEUED: "#262b35",
    CellState.RUNNING: "#1d2c48",
    CellState.STALE: "#3a2f17",
    CellState.ERROR: "#44211e",
    CellState.SKIPPED: "#2a2c2f",
}


def is_dark() -> bool:
    return QGuiApplication.palette().base().color().lightness() < 128


def tint(state: CellState, dark: bool) -> QColor | None:
    """The cell background for a state, or None for the view's own (done and empty stay plain)."""
    value = (_TINT_DARK if dark else _TINT_LIGHT).get(state)
    return QColor(value) if value else None


_icons: dict[CellState, QIcon] = {}


def glyph_icon(state: CellState) -> QIcon:
    """A small round badge with the state's glyph, drawn once per state."""
    icon = _icons.get(state)
    if icon is None:
        size = 14
        pixmap = QPixmap(size * 2, size * 2)
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(ACCENTS[state]))
        painter.drawEllipse(1, 1, size - 2, size - 2)
        font = QFont()
        font.setPixelSize(9)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, GLYPHS[state])
        painter.end()
        icon = _icons[state] = QIcon(pixmap)
    return icon
