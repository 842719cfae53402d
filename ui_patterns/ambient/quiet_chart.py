"""The "quieter over time" chart: asks per handled event, window by window.

A rate, not a count: a half-filled last window or a pause would otherwise look like learning.
Events a pause holds are drawn apart, hatched and labelled, and are never counted as "asked nothing".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from agent_core.ambient import AskRate, AskWindow

MAX_BARS = 24
TOP, BOTTOM, SIDE = 56, 18, 6


class QuietChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent = ""
        self.rate = AskRate([], 0)
        self.paused = False
        self.window = 20
        self.setMinimumHeight(150)

    def set_rate(self, agent: str, rate: AskRate, paused: bool = False) -> None:
        self.agent, self.rate, self.paused = agent, rate, paused
        self.update()

    @property
    def bars(self) -> list[AskWindow]:
        return self.rate.windows[-MAX_BARS:]

    def summary(self) -> str:
        """The line under the title, in words (also what tests read)."""
        w, held = self.bars, self.rate.held
        why = "paused" if self.paused else "in progress"
        held_text = f"{held} event{'s' * (held != 1)} {why}, not counted yet" if held else ""
        if not w:
            return held_text.capitalize() if held else "No data yet: no events handled by this agent."
        first, last = w[0], w[-1]
        text = (
            f"{first.rate:.2f} asks per event at first → {last.rate:.2f} now"
            if len(w) > 1
            else f"{last.rate:.2f} asks per event so far ({last.events} events)"
        )
        return f"{text} · {held_text}" if held else text

    def _slots(self) -> tuple[QRectF, float, int]:
        r = QRectF(self.rect()).adjusted(SIDE, TOP, -SIDE, -BOTTOM)
        n = len(self.bars) + (1 if self.rate.held else 0)
        return r, r.width() / max(n, 1), n

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text, muted = pal.color(pal.ColorRole.WindowText), pal.color(pal.ColorRole.PlaceholderText)
        accent = pal.color(pal.ColorRole.Highlight)
        f = p.font()
        f.setBold(True)
        p.setFont(f)
        p.setPen(text)
        p.drawText(SIDE, 14, f"Quieter over time · {self.agent}")
        f.setBold(False)
        p.setFont(f)
        p.setPen(muted)
        box = QRectF(SIDE, 20, self.width() - 2 * SIDE, TOP - 24)
        p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, self.summary())
        r, bw, n = self._slots()
        if n == 0:
            p.end()
            return
        top = max(1.0, *(w.rate for w in self.bars)) if self.bars else 1.0
        p.setPen(QColor(muted))
        p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))
        for i, w in enumerate(self.bars):
            h = max(1.0, r.height() * w.rate / top)
            colour = QColor(accent)
            if w.events < self.window:
                colour.setAlpha(120)  # a window still filling: a lighter bar
            p.fillRect(QRectF(r.left() + i * bw + 2, r.bottom() - h, max(1.0, bw - 4), h), colour)
        if self.rate.held:
            x = r.left() + len(self.bars) * bw
            span = QRectF(x + 2, r.top(), max(1.0, bw - 4), r.height())
            p.fillRect(span, QBrush(muted, Qt.BrushStyle.BDiagPattern))
            p.setPen(muted)
            p.drawRect(span)
        p.setPen(muted)
        labels = [(0, f"{self.bars[0].rate:.2f}")] if self.bars else []
        if len(self.bars) > 1:
            labels.append((len(self.bars) - 1, f"{self.bars[-1].rate:.2f}"))
        if self.rate.held:
            labels.append((len(self.bars), "paused" if self.paused else "busy"))
        for i, label in labels:
            cx = r.left() + (i + 0.5) * bw
            p.drawText(QRectF(cx - 30, r.bottom() + 2, 60, 14), Qt.AlignmentFlag.AlignCenter, label)
        p.end()

    def tip_at(self, x: float) -> str:
        """What the bar under `x` stands for, in words."""
        r, bw, n = self._slots()
        i = int((x - r.left()) // bw) if bw else -1
        if not 0 <= i < n:
            return self.summary()
        if i == len(self.bars):
            why = "the agent is paused" if self.paused else "the agent is still working on them"
            return f"{self.rate.held} events received but not handled yet ({why}): not counted."
        w = self.bars[i]
        filling = " (window still filling)" if w.events < self.window else ""
        return (
            f"Window {i + 1}: {w.asks} asks from {w.events} handled events = {w.rate:.2f} per event{filling}"
        )

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            QToolTip.showText(e.globalPos(), self.tip_at(e.pos().x()), self)
            return True
        return super().event(e)
