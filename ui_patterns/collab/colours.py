"""Colours of tracked changes, taken from the active theme so they read in light and dark alike.

Deletions use the theme's danger hue and insertions their author's colour; backgrounds are those hues
washed into the palette's base colour (pale in light, deep in dark) instead of fixed pastel hex values.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette

#: The theme's @danger token per theme (desktop/theme.py; ui_patterns may not import desktop).
DANGER = {"light": "#c62828", "dark": "#ef6b6b"}


def _mix(colour: QColor, base: QColor, amount: float) -> QColor:
    """``amount`` of ``colour`` over ``base`` (an opaque tint: rich text has no alpha)."""
    return QColor.fromRgbF(
        *(
            a * amount + b * (1 - amount)
            for a, b in zip(colour.getRgbF()[:3], base.getRgbF()[:3], strict=True)
        )
    )


@dataclass(frozen=True, slots=True)
class ChangeColours:
    """The palette-derived colours one render of tracked changes uses."""

    dark: bool
    base: QColor
    text: QColor
    delete: str

    @classmethod
    def current(cls, palette: QPalette | None = None) -> ChangeColours:
        pal = palette or QGuiApplication.palette()
        base = pal.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        return cls(dark, base, pal.color(QPalette.ColorRole.Text), DANGER["dark" if dark else "light"])

    def ink(self, colour: str) -> str:
        """An author's colour made readable as text on the base (lightened in dark mode)."""
        ink = QColor(colour)
        return (_mix(ink, QColor("#ffffff"), 0.7) if self.dark else ink).name()

    def wash(self, colour: str) -> str:
        """A background tint of ``colour``: pale on a light base, deep on a dark one."""
        return _mix(QColor(colour), self.base, 0.22 if self.dark else 0.12).name()

    @property
    def muted(self) -> str:
        return _mix(self.text, self.base, 0.6).name()
