"""Light and dark themes: one QSS template plus a QPalette, so native-drawn bits match the stylesheet.

A single template with @tokens keeps the two themes from drifting apart; only colours differ.
Icons are monochrome SVGs drawn with `currentColor`, recoloured here to suit the active theme.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

ASSETS = Path(__file__).resolve().parent.parent / "assets"
STYLE_TEMPLATE = ASSETS / "style" / "app.qss"
ICON_DIR = ASSETS / "icons"
THEMES = ("light", "dark")

PALETTES: dict[str, dict[str, str]] = {
    "light": {
        "bg": "#f6f7f9",
        "surface": "#ffffff",
        "sidebar": "#eef0f4",
        "border": "#d9dde5",
        "text": "#1d2330",
        "muted": "#5f6b7c",
        "hover": "#e3e7ee",
        "accent": "#4f5bd5",
        "accent_soft": "#e2e5fb",
        "accent_text": "#27318f",
        "alt_row": "#f9fafb",
        "scroll": "#c5cbd6",
        "danger": "#c62828",
        "ok": "#2e7d32",
        "warn": "#b26a00",
    },
    "dark": {
        "bg": "#16181d",
        "surface": "#1e2128",
        "sidebar": "#1a1d23",
        "border": "#2e333d",
        "text": "#e6e8ee",
        "muted": "#9aa3b2",
        "hover": "#272b34",
        "accent": "#7c87f5",
        "accent_soft": "#2d3260",
        "accent_text": "#dfe2ff",
        "alt_row": "#21252c",
        "scroll": "#3b414d",
        "danger": "#ef6b6b",
        "ok": "#6cc070",
        "warn": "#e0a040",
    },
}

_TOKEN = re.compile(r"@([a-z_]+)")
_current = "light"


def current_theme() -> str:
    return _current


def color(name: str, theme: str | None = None) -> str:
    """A palette colour by role, for widgets that paint status dots or badges themselves."""
    return PALETTES[theme or _current][name]


def stylesheet(name: str) -> str:
    colors = PALETTES[name]
    return _TOKEN.sub(lambda m: colors.get(m.group(1), m.group(0)), STYLE_TEMPLATE.read_text())


def palette(name: str) -> QPalette:
    c = {k: QColor(v) for k, v in PALETTES[name].items()}
    pal = QPalette()
    roles = QPalette.ColorRole
    pal.setColor(roles.Window, c["bg"])
    pal.setColor(roles.WindowText, c["text"])
    pal.setColor(roles.Base, c["surface"])
    pal.setColor(roles.AlternateBase, c["alt_row"])
    pal.setColor(roles.Text, c["text"])
    pal.setColor(roles.Button, c["surface"])
    pal.setColor(roles.ButtonText, c["text"])
    pal.setColor(roles.ToolTipBase, c["surface"])
    pal.setColor(roles.ToolTipText, c["text"])
    pal.setColor(roles.PlaceholderText, c["muted"])
    pal.setColor(roles.Highlight, c["accent"])
    pal.setColor(roles.HighlightedText, QColor("#ffffff"))
    pal.setColor(roles.Link, c["accent"])
    pal.setColor(roles.Mid, c["border"])
    pal.setColor(QPalette.ColorGroup.Disabled, roles.Text, c["muted"])
    pal.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, c["muted"])
    return pal


def apply_theme(app: QApplication, name: str) -> str:
    """Apply a theme app-wide; unknown names fall back to light so a bad setting never breaks start-up."""
    global _current
    name = name if name in THEMES else "light"
    _current = name
    app.setStyle("Fusion")  # the palette is honoured consistently only by Fusion
    app.setPalette(palette(name))
    app.setStyleSheet(stylesheet(name))
    return name


@cache
def _svg(name: str) -> str:
    path = ICON_DIR / f"{name}.svg"
    return path.read_text() if path.exists() else (ICON_DIR / "page.svg").read_text()


def icon(name: str, role: str = "muted", size: int = 20) -> QIcon:
    """A themed icon: the SVG's `currentColor` becomes a palette colour (unknown names get a page icon)."""
    data = _svg(name).replace("currentColor", color(role))
    renderer = QSvgRenderer(QByteArray(data.encode()))
    pix = QPixmap(QSize(size * 2, size * 2))  # 2x so it stays crisp on HiDPI screens
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    renderer.render(painter)
    painter.end()
    return QIcon(pix)


def app_icon() -> QIcon:
    return QIcon(str(ICON_DIR / "app.svg"))
