"""Light and dark themes: one QSS template plus a QPalette, so native-drawn bits match the stylesheet.

A single template with @tokens keeps the two themes from drifting apart; only colours differ.
Icons are monochrome SVGs drawn with `currentColor`, recoloured here to suit the active theme.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
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
        "indicator": "#8791a3",
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
        "indicator": "#7d8698",
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


# Images the stylesheet needs for sub-controls it draws itself (a styled indicator or spin button
# loses Fusion's native glyph): drawn per theme, written once per process, referenced as @icon_*.
_GLYPHS = {
    "check": '<path d="M3.5 8.5l3 3 6-7" stroke="{c}" stroke-width="2"/>',
    "dash": '<path d="M4 8h8" stroke="{c}" stroke-width="2"/>',
    "up": '<path d="M4 10l4-4 4 4" stroke="{c}" stroke-width="1.8"/>',
    "down": '<path d="M4 6l4 4 4-4" stroke="{c}" stroke-width="1.8"/>',
}
_GLYPH_COLORS = {"check": "on_accent", "dash": "on_accent", "up": "text", "down": "text"}
_glyph_dir: Path | None = None


def _glyph_path(glyph: str, hex_color: str) -> str:
    global _glyph_dir
    if _glyph_dir is None:
        _glyph_dir = Path(tempfile.mkdtemp(prefix="agent-ux-lab-style-"))
        atexit.register(shutil.rmtree, _glyph_dir, True)
    path = _glyph_dir / f"{glyph}-{hex_color.lstrip('#')}.svg"
    if not path.exists():
        body = _GLYPHS[glyph].format(c=hex_color)
        path.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" '
            f'fill="none" stroke-linecap="round" stroke-linejoin="round">{body}</svg>'
        )
    return path.as_posix()


def style_tokens(name: str) -> dict[str, str]:
    """Every @token of the stylesheet for a theme: its colours plus @icon_<glyph>[_off] image paths."""
    colors = {**PALETTES[name], "on_accent": "#ffffff"}
    tokens = dict(colors)
    for glyph, role in _GLYPH_COLORS.items():
        tokens[f"icon_{glyph}"] = _glyph_path(glyph, colors[role])
        tokens[f"icon_{glyph}_off"] = _glyph_path(glyph, colors["muted"])
    return tokens


def stylesheet(name: str) -> str:
    tokens = style_tokens(name)
    return _TOKEN.sub(lambda m: tokens.get(m.group(1), m.group(0)), STYLE_TEMPLATE.read_text())


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
