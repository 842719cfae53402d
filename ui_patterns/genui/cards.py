"""Read-only predefined components: weather, place, comparison table, and the catch-all fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from . import _style
from .base import ToolComponent
from .flow import FlowLayout


def fmt_number(value: object) -> str:
    """12 → '12', 1.239 → '1.24', 21.50 → '21.5'; anything else as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _column(parent: QWidget | None = None) -> tuple[QWidget, QVBoxLayout]:
    widget = QWidget(parent)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(_style.GRID)
    return widget, layout


def _or_skeleton(args: Mapping[str, Any], key: str, partial: bool, text: str, **style: Any) -> QLabel | None:
    """A label for `args[key]`, a skeleton while it streams, or None when it is simply absent."""
    if key in args and args[key] is not None:
        return _style.label(text, **style)
    return _style.skeleton(key.replace("_", " ")) if partial else None


def _add(layout: QVBoxLayout | QHBoxLayout, widget: QWidget | None) -> None:
    if widget is not None:
        layout.addWidget(widget)


def _hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Plain)
    line.setForegroundRole(QPalette.ColorRole.Mid)
    return line


class WeatherCard(ToolComponent):
    """Current conditions in large type, today's range, then one line per forecast day."""

    tool_name = "show_weather"

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        _add(layout, _or_skeleton(args, "location", partial, args.get("location", ""), bold=True, size=3))
        now = QHBoxLayout()
        now.setSpacing(2 * _style.GRID)
        temp = f"{fmt_number(args.get('temperature_c'))}°C"
        _add(now, _or_skeleton(args, "temperature_c", partial, temp, bold=True, size=14))
        details, details_layout = _column()
        _add(details_layout, _or_skeleton(args, "condition", partial, args.get("condition", ""), size=2))
        if "high_c" in args or "low_c" in args:
            high, low = fmt_number(args.get("high_c", "–")), fmt_number(args.get("low_c", "–"))
            details_layout.addWidget(_style.label(f"High {high}°  ·  Low {low}°", muted=True))
        now.addWidget(details, 1)
        layout.addLayout(now)
        forecast = args.get("forecast")
        if forecast:
            layout.addWidget(_hline())
            grid = QGridLayout()
            grid.setHorizontalSpacing(2 * _style.GRID)
            grid.setVerticalSpacing(_style.GRID // 2)
            for row, day in enumerate(forecast):
                cells = [
                    _style.label(day.get("day", "…"), bold=True),
                    _style.label(day.get("condition", ""), muted=True),
                    _style.label(
                        f"{fmt_number(day.get('high_c', '…'))}° / {fmt_number(day.get('low_c', '…'))}°"
                    ),
                ]
                for col, cell in enumerate(cells):
                    grid.addWidget(cell, row, col)
                cells[2].setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.setColumnStretch(1, 1)
            layout.addLayout(grid)
        elif partial:
            layout.addWidget(_style.skeleton("forecast"))
        return body


class PlaceCard(ToolComponent):
    """A venue: name, address, rating stars and price, tag pills, opening hours."""

    tool_name = "show_place"

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        _add(layout, _or_skeleton(args, "name", partial, args.get("name", ""), bold=True, size=3))
        _add(layout, _or_skeleton(args, "address", partial, args.get("address", ""), muted=True))
        facts: list[str] = []
        if isinstance(rating := args.get("rating"), int | float):
            stars = round(rating)
            facts.append(f"{'★' * stars}{'☆' * (5 - stars)}  {rating:.1f}")
        if isinstance(price := args.get("price_level"), int | float):
            facts.append(f"{'$' * int(price)}")
        if facts:
            layout.addWidget(_style.label("   ·   ".join(facts)))
        elif partial:
            layout.addWidget(_style.skeleton("rating"))
        if tags := args.get("tags"):
            holder = QWidget()
            flow = FlowLayout(holder, spacing=_style.GRID)
            for text in tags:
                flow.addWidget(_style.tag(text))
            layout.addWidget(holder)
        if hours := args.get("opening_hours"):
            layout.addWidget(_hline())
            layout.addWidget(_style.label("Opening hours", bold=True))
            layout.addWidget(_style.label("\n".join(hours), muted=True))
        elif partial:
            layout.addWidget(_style.skeleton("opening hours"))
        return body


def _cell_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return fmt_number(value)


class ComparisonCard(ToolComponent):
    """Options as rows, attributes as columns; numbers right-aligned; cells wrap instead of clipping."""

    tool_name = "show_comparison"

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        _add(layout, _or_skeleton(args, "title", partial, args.get("title", ""), bold=True, size=2))
        columns = args.get("columns") or []
        if not columns:
            layout.addWidget(_style.skeleton("columns"))
            return body
        grid = QGridLayout()
        grid.setHorizontalSpacing(2 * _style.GRID)
        grid.setVerticalSpacing(_style.GRID // 2)
        for col, header in enumerate(columns):
            grid.addWidget(_style.label(header, bold=True), 0, col)
            grid.setColumnStretch(col, 1)
        grid.addWidget(_hline(), 1, 0, 1, len(columns))
        for index, row in enumerate(args.get("rows") or []):
            for col, value in enumerate(row[: len(columns)]):
                cell = _style.label(_cell_text(value))
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                grid.addWidget(cell, index + 2, col, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(grid)
        if partial:
            layout.addWidget(_style.skeleton("more rows"))
        return body


class FallbackCard(ToolComponent):
    """The catch-all `*` renderer: any tool, any arguments, shown as name, status, JSON and result."""

    def __init__(self, tool_name: str, parent: QWidget | None = None) -> None:
        self._name = tool_name
        super().__init__(parent)
        self._result: object = None
        self._has_result = False

    def display_name(self) -> str:
        return self._name

    def validate(self, args: object, partial: bool) -> list[str]:
        return []

    def set_result(self, result: object) -> None:
        """Show what the tool returned (unknown tools have no component to put it in)."""
        self._result, self._has_result = result, True
        self._last = None
        self.set_args(self._args, partial=self.state().value == "streaming")

    def _build(self, args: Any, partial: bool) -> QWidget:
        body, layout = _column()
        layout.addWidget(_style.label(self._name, bold=True, size=2))
        note = "Arguments streaming …" if partial else "No predefined component for this tool; arguments:"
        layout.addWidget(_style.label(note, muted=True, italic=partial))
        raw = _style.label(_style.pretty_json(args))
        raw.setFont(_style.monospace_font())
        raw.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(raw)
        if self._has_result:
            layout.addWidget(_style.label("Result", bold=True))
            result = _style.label(_style.pretty_json(self._result))
            result.setFont(_style.monospace_font())
            layout.addWidget(result)
        return body
