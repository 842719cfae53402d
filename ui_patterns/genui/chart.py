"""Bar and line charts painted with QPainter: axes, nice ticks, elided labels, palette-aware colours."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from . import _style
from .base import ToolComponent
from .cards import _column, _or_skeleton, fmt_number
from .flow import FlowLayout


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 × a power of ten apart)."""
    if math.isclose(low, high):
        low, high = (low - 1, high + 1) if low else (0.0, 1.0)
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return ticks


class ChartCanvas(QWidget):
    """Paints `series` over `labels` as grouped bars or lines; missing values are skipped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "bar"
        self.labels: list[str] = []
        self.series: list[tuple[str, list[float | None]]] = []
        self.setMinimumHeight(22 * _style.GRID)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, kind: str, labels: Sequence[str], series: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind if kind in ("bar", "line") else "bar"
        self.labels = [str(text) for text in labels]
        self.series = [
            (
                str(s.get("name", "")),
                [v if isinstance(v, int | float) else None for v in s.get("values") or []],
            )
            for s in series
        ]
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(45 * _style.GRID, 28 * _style.GRID)

    def values(self) -> list[float]:
        return [v for _, values in self.series for v in values if v is not None]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        values = self.values()
        if not self.labels or not values:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "chart data …")
            return
        ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
        metrics = self.fontMetrics()
        left = max(metrics.horizontalAdvance(fmt_number(t)) for t in ticks) + _style.GRID
        plot = QRectF(
            left,
            _style.GRID,
            self.width() - left - _style.GRID,
            self.height() - metrics.height() - 2 * _style.GRID,
        )
        low, high = ticks[0], ticks[-1]

        def y_of(value: float) -> float:
            return plot.bottom() - (value - low) / (high - low) * plot.height()

        grid_colour = _style.mix(text, palette.color(QPalette.ColorRole.Base), 0.8)
        for tick in ticks:
            y = y_of(tick)
            painter.setPen(QPen(grid_colour, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            label_rect = QRectF(0, y - metrics.height() / 2, left - _style.GRID / 2, metrics.height())
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, fmt_number(tick)
            )
        painter.setPen(QPen(text, 1))
        painter.drawLine(QPointF(plot.left(), y_of(0.0)), QPointF(plot.right(), y_of(0.0)))

        group = plot.width() / len(self.labels)
        if self.kind == "bar":
            self._paint_bars(painter, plot, group, y_of)
        else:
            self._paint_lines(painter, plot, group, y_of)

        painter.setPen(text)
        step = (
            max(1, math.ceil(max(metrics.horizontalAdvance(t) for t in self.labels) / group))
            if group < 40
            else 1
        )
        for index in range(0, len(self.labels), step):
            rect = QRectF(
                plot.left() + index * group, plot.bottom() + _style.GRID / 2, group * step, metrics.height()
            )
            elided = metrics.elidedText(
                self.labels[index], Qt.TextElideMode.ElideRight, int(group * step) - 2
            )
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)

    def _paint_bars(self, painter: QPainter, plot: QRectF, group: float, y_of: Any) -> None:
        bar = group * 0.7 / max(1, len(self.series))
        zero = y_of(0.0)
        painter.setPen(Qt.PenStyle.NoPen)
        for s_index, (_, values) in enumerate(self.series):
            painter.setBrush(QColor(_style.SERIES_COLOURS[s_index % len(_style.SERIES_COLOURS)]))
            for index, value in enumerate(values[: len(self.labels)]):
                if value is None:
                    continue
                x = plot.left() + index * group + group * 0.15 + s_index * bar
                top = min(zero, y_of(value))
                painter.drawRoundedRect(QRectF(x, top, max(1.0, bar - 1), abs(zero - y_of(value))), 2, 2)

    def _paint_lines(self, painter: QPainter, plot: QRectF, group: float, y_of: Any) -> None:
        for s_index, (_, values) in enumerate(self.series):
            colour = QColor(_style.SERIES_COLOURS[s_index % len(_style.SERIES_COLOURS)])
            points = [
                QPointF(plot.left() + (index + 0.5) * group, y_of(value))
                for index, value in enumerate(values[: len(self.labels)])
                if value is not None
            ]
            if not points:
                continue
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(path)
            painter.setBrush(colour)
            for point in points:
                painter.drawEllipse(point, 3, 3)


class ChartCard(ToolComponent):
    """Title, the painted chart, and a legend of series names that wraps on narrow cards."""

    tool_name = "show_chart"

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        title = _or_skeleton(args, "title", partial, args.get("title", ""), bold=True, size=2)
        if title is not None:
            layout.addWidget(title)
        canvas = ChartCanvas()
        canvas.setObjectName("genuiChartCanvas")
        canvas.set_data(args.get("kind", "bar"), args.get("labels") or [], args.get("series") or [])
        layout.addWidget(canvas)
        legend_holder = QWidget()
        legend = FlowLayout(legend_holder, spacing=2 * _style.GRID)
        for index, (name, _) in enumerate(canvas.series):
            colour = _style.SERIES_COLOURS[index % len(_style.SERIES_COLOURS)]
            item = QLabel(f"<span style='color:{colour}'>■</span> {html.escape(name or '…')}")
            item.setTextFormat(Qt.TextFormat.RichText)
            legend.addWidget(item)
        layout.addWidget(legend_holder)
        return body
