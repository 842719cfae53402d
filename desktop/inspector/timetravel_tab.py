"""Time travel: a slider over the profile's turns shows the store as it was after each one.

The left list is the store at the slider's turn (valid facts; ◷ marks a fact that was valid but not
yet recallable, i.e. still being written in the background); the right pane diffs two turns, so
replaying a conversation shows the store growing and facts being superseded.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.runtime.provenance import TurnPoint, turn_points
from desktop.inspector.jobs import Jobs
from memory.timetravel import Snapshot, diff, replay
from ui_patterns.common.context import LabContext
from ui_patterns.common.lazy import LazyTab

NEW_MARK = "   ← new at this turn"
EMPTY = "No turns yet for this profile. Chat a little, then come back to replay how memory grew."


class TimeTravelTab(LazyTab):
    loaded = Signal(int)  # number of turns
    failed = Signal(str)

    def __init__(self, ctx: LabContext, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs

    def _build(self) -> None:  # on first show or touch (LazyTab)
        self.points: list[TurnPoint] = []
        self.snapshots: list[Snapshot] = []

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setMinimum(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.slider.setPageStep(1)
        self.slider.valueChanged.connect(self._on_turn)
        self.turn_label = QLabel(EMPTY, self)
        self.turn_label.setWordWrap(True)
        self.compare_spin = QSpinBox(self)
        self.compare_spin.setPrefix("compare with turn ")
        self.compare_spin.setMinimum(0)
        self.compare_spin.setSpecialValueText("compare with the start")
        self.compare_spin.valueChanged.connect(self._on_compare)
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.clicked.connect(self.refresh)

        self.store_list = QListWidget(self)
        self.store_list.setAlternatingRowColors(True)
        self.pending_label = QLabel(self)
        self.pending_label.setStyleSheet("color:#8a5a00")
        self.diff_view = QTextBrowser(self)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>The store at this turn</b>", left))
        lv.addWidget(self.store_list, 1)
        lv.addWidget(self.pending_label)
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.compare_spin)
        rv.addWidget(self.diff_view, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([380, 320])

        top = QHBoxLayout()
        top.addWidget(QLabel("Turn", self))
        top.addWidget(self.slider, 1)
        top.addWidget(self.reload_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.turn_label)
        lay.addWidget(split, 1)

    # -- loading ----------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        engine, ns = self.ctx.lab.engine, self.ctx.profile

        def load() -> tuple[list[TurnPoint], list[Snapshot]]:
            points = turn_points(engine, ns)
            return points, replay(engine, ns, [p.at for p in points])

        self.jobs.latest("timetravel", load, self._on_loaded, self.failed.emit)

    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        self.points, self.snapshots = result
        n = len(self.points)
        self.slider.setEnabled(n > 0)
        self.compare_spin.setEnabled(n > 0)
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(n, 1))
        self.slider.setValue(n or 1)
        self.slider.blockSignals(False)
        self.compare_spin.setMaximum(max(n, 1))
        if n:
            self.show_turn(n)
        else:
            self.turn_label.setText(EMPTY)
            self.store_list.clear()
            self.diff_view.clear()
            self.pending_label.clear()
        self.loaded.emit(n)

    # -- showing ----------------------------------------------------------------------------------
    @Slot(int)
    def _on_turn(self, value: int) -> None:
        if self.points:
            self.show_turn(value)

    @Slot(int)
    def _on_compare(self, _value: int) -> None:
        if self.points:
            self._show_diff()

    def show_turn(self, n: int) -> None:
        """Show the store after turn `n` (1-based) and its diff with the compared turn."""
        n = max(1, min(n, len(self.points)))
        if self.slider.value() != n:
            self.slider.setValue(n)
            return
        p, snap = self.points[n - 1], self.snapshots[n - 1]
        self.turn_label.setText(
            f"<b>After turn {n} of {len(self.points)}</b> · {p.at:%Y-%m-%d %H:%M:%S} · "
            f"“{html.escape(p.title)}” — {len(snap.valid)} valid, {len(snap.recallable)} recallable"
        )
        self.store_list.clear()
        ready = snap.recallable_ids
        new = {m.id for m in self.snapshots[n - 2].valid} if n >= 2 else set()
        for m in snap.valid:
            fresh = n >= 2 and m.id not in new or n == 1
            item = QListWidgetItem(("" if m.id in ready else "◷ ") + m.content + (NEW_MARK if fresh else ""))
            item.setToolTip(
                f"{m.kind} · written {m.write_mode} · importance {m.importance:.2f} · id {m.id[:8]}"
            )
            if m.id not in ready:
                item.setForeground(Qt.GlobalColor.darkYellow)
            elif fresh:
                item.setForeground(Qt.GlobalColor.darkGreen)
            self.store_list.addItem(item)
        jobs = len(snap.pending_jobs)
        self.pending_label.setText(f"{jobs} background job{'s' if jobs != 1 else ''} pending" if jobs else "")
        self.compare_spin.blockSignals(True)
        self.compare_spin.setValue(n - 1)
        self.compare_spin.blockSignals(False)
        self._show_diff()

    def _show_diff(self) -> None:
        n, m = self.slider.value(), self.compare_spin.value()
        after = self.snapshots[n - 1]
        before = self.snapshots[m - 1] if m >= 1 else Snapshot(after.at)
        lines = diff(before, after).lines()
        head = f"<p><b>Turn {m or 'start'} → turn {n}</b></p>"
        if not lines:
            self.diff_view.setHtml(head + "<p style='color:#777'>No change between these turns.</p>")
            return
        style = {"+": "color:#11651f;background:#e6f6e6", "-": "color:#a3121a;background:#fbe9ea"}
        rows = [
            f"<div style='{style.get(line[:1], 'color:#6a4fb3')};padding:2px'>{html.escape(line)}</div>"
            for line in lines
        ]
        self.diff_view.setHtml(head + "".join(rows))

    def store_texts(self) -> list[str]:
        """The memories shown (markers stripped)."""
        return [self.store_list.item(i).text().split(NEW_MARK)[0] for i in range(self.store_list.count())]

    def diff_text(self) -> str:
        return self.diff_view.toPlainText()
