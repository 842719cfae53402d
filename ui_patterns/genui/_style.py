"""Shared look of the generative-UI cards: palette roles (light and dark), an 8 px grid, wrapping text."""

from __future__ import annotations

import json
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

GRID = 8
RADIUS = 8

# Accent colours carry meaning (state, series); text on them is white, readable in both palettes.
STATE_COLOURS: dict[str, str] = {
    "streaming": "#2f6fde",
    "complete": "#2e8b57",
    "waiting": "#b9770e",
    "answered": "#1f7a8c",
    "error": "#c0392b",
    "denied": "#6c757d",
}
SERIES_COLOURS = ["#2f6fde", "#e67e22", "#2e8b57", "#8e44ad", "#c0392b", "#16a085"]
DANGER = "#c0392b"
ACCENT = "#2f6fde"

CARD_QSS = f"""
QFrame#genuiCard {{
    background: palette(base);
    border: 1px solid palette(mid);
    border-radius: {RADIUS}px;
}}
QFrame#genuiCard[state="error"] {{ border: 2px solid {STATE_COLOURS["error"]}; }}
QFrame#genuiCard[state="waiting"] {{ border: 2px solid {STATE_COLOURS["waiting"]}; }}
"""

_LONG_TOKEN = re.compile(r"\S{24,}")


def wrap_text(text: object) -> str:
    """Text for a word-wrapped QLabel: long unbroken tokens (URLs, ids) get break opportunities."""
    return _LONG_TOKEN.sub(lambda m: "\u200b".join(_chunks(m.group(0), 12)), str(text))


def _chunks(token: str, size: int) -> list[str]:
    return [token[i : i + size] for i in range(0, len(token), size)]


def label(
    text: object = "",
    *,
    size: float = 0,
    bold: bool = False,
    muted: bool = False,
    italic: bool = False,
    parent: QWidget | None = None,
) -> QLabel:
    """A plain-text, word-wrapping label; `size` is points relative to the application font."""
    widget = QLabel(wrap_text(text), parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    font = QFont(widget.font())
    if size:
        font.setPointSizeF(max(6.0, font.pointSizeF() + size))
    font.setBold(bold)
    font.setItalic(italic)
    widget.setFont(font)
    if muted:
        widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return widget


def skeleton(what: str, parent: QWidget | None = None) -> QLabel:
    """Placeholder text for a prop that has not streamed in yet."""
    widget = label(f"{what} …", italic=True, muted=True, parent=parent)
    widget.setObjectName("genuiSkeleton")
    return widget


def chip(text: str, colour: str, parent: QWidget | None = None) -> QLabel:
    """A small rounded pill with white text on an accent colour."""
    widget = QLabel(text, parent)
    widget.setObjectName("genuiChip")
    widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    recolour_chip(widget, colour)
    return widget


def recolour_chip(widget: QLabel, colour: str) -> None:
    widget.setStyleSheet(
        f"QLabel#genuiChip {{ background: {colour}; color: white; border-radius: {RADIUS}px;"
        f" padding: 1px {GRID}px; font-weight: 600; }}"
    )


def tag(text: str, parent: QWidget | None = None) -> QLabel:
    """A neutral pill for tags; palette-based so it works light and dark."""
    widget = QLabel(wrap_text(text), parent)
    widget.setObjectName("genuiTag")
    widget.setStyleSheet(
        f"QLabel#genuiTag {{ background: palette(alternate-base); border: 1px solid palette(mid);"
        f" border-radius: {RADIUS}px; padding: 1px {GRID}px; }}"
    )
    return widget


def card_frame(widget: QFrame) -> None:
    """Give `widget` the rounded, palette-coloured card look."""
    widget.setObjectName("genuiCard")
    widget.setFrameShape(QFrame.Shape.NoFrame)
    widget.setStyleSheet(CARD_QSS)


def set_state_property(widget: QWidget, state: str) -> None:
    """Expose the state to the style sheet (`[state="error"]`) and re-polish."""
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def pretty_json(value: object) -> str:
    """Indented JSON that never fails (non-JSON values fall back to repr)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(value)


def mix(colour: QColor, other: QColor, ratio: float) -> QColor:
    """`colour` blended towards `other` by `ratio` (0..1): grid lines that suit either palette."""
    return QColor(
        round(colour.red() + (other.red() - colour.red()) * ratio),
        round(colour.green() + (other.green() - colour.green()) * ratio),
        round(colour.blue() + (other.blue() - colour.blue()) * ratio),
    )
