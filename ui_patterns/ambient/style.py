"""Colours and small glyphs for the ambient page, readable in the light and the dark theme.

Widgets that paint status text or badges themselves pick the pair for the current palette (the
stylesheet cannot reach a table cell's foreground).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "assets" / "icons"
# status → (light, dark): the dark ones are lighter so they keep their contrast on #1e2128
STATUS = {
    "done": ("#2e7d32", "#6cc070"),
    "idle": ("#5f6b7c", "#9aa3b2"),
    "running": ("#1a5fd0", "#7fb0ff"),
    "waiting": ("#b26a00", "#e0a040"),
    "paused": ("#7b3fc4", "#c29bf5"),
    "error": ("#c62828", "#ef6b6b"),
    "stopped": ("#5f6b7c", "#9aa3b2"),
    "discarded": ("#5f6b7c", "#9aa3b2"),
}
FORK = ("#7b3fc4", "#c29bf5")  # forks share the purple of "paused": both are a person stepping in


def is_dark() -> bool:
    return QGuiApplication.palette().base().color().lightness() < 128


def pick(pair: tuple[str, str]) -> QColor:
    return QColor(pair[1] if is_dark() else pair[0])


def status_colour(status: str) -> QColor:
    return pick(STATUS.get(status, STATUS["idle"]))


def fork_colour() -> QColor:
    return pick(FORK)


_icons: dict[tuple[str, str], QIcon] = {}


def tinted_icon(name: str, colour: QColor, size: int = 16) -> QIcon:
    """An `assets/icons` SVG drawn in `colour` (the SVGs use currentColor)."""
    key = (name, colour.name())
    if key not in _icons:
        svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8").replace("currentColor", colour.name())
        pm = QPixmap(size * 2, size * 2)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        QSvgRenderer(QByteArray(svg.encode())).render(p, QRectF(0, 0, size * 2, size * 2))
        p.end()
        pm.setDevicePixelRatio(2.0)
        _icons[key] = QIcon(pm)
    return _icons[key]
