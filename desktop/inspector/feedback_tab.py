"""Feedback preview: pending proposals from thumbs-down, corrections and edits, as a diff to accept.

Each proposed change (a semantic fact, a new instruction version, an example's score) has a check
box; "Apply checked" applies exactly those, then the page shows which recent answers would now
come out differently (the replay).
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
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.feedback_preview import Proposal
from desktop.inspector.jobs import Jobs
from desktop.inspector.procedural import diff_html
from ui_patterns.common.context import LabContext
from ui_patterns.common.lazy import LazyTab

EMPTY = (
    "No feedback waiting. With “auto-accept feedback” off in Settings, a thumbs-down or a correction "
    "lands here as proposed memory changes you accept or reject."
)
KIND_ICON = {"semantic": "fact", "procedural": "instructions", "episodic": "example"}


class FeedbackTab(LazyTab):
    applied = Signal(dict)  # Lab.accept_feedback's answer
    rejected = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: LabContext, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs

    def _build(self) -> None:  # on first show or touch (LazyTab)
        self.proposals = QListWidget(self)
        self.proposals.currentRowChanged.connect(self._on_proposal)
        self.changes = QListWidget(self)
        self.changes.setWordWrap(True)
        self.changes.currentRowChanged.connect(self._on_change)
        self.diff_view = QTextBrowser(self)
        self.result_view = QTextBrowser(self)
        self.result_view.setMaximumHeight(140)
        self.result_view.setPlaceholderText(
            "Apply changes to see which recent answers would now come out differently."
        )
        self.empty = QLabel(EMPTY, self)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color:#777")
        self.apply_button = QPushButton("Apply checked", self)
        self.reject_button = QPushButton("Reject all", self)
        self.apply_button.clicked.connect(self._apply_clicked)
        self.reject_button.clicked.connect(self._reject_clicked)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>Waiting feedback</b>", left))
        lv.addWidget(self.proposals, 1)
        mid = QWidget(self)
        mv = QVBoxLayout(mid)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(QLabel("<b>Proposed changes</b> (checked = apply)", mid))
        mv.addWidget(self.changes, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.reject_button)
        mv.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        for w in (left, mid, self.diff_view):
            split.addWidget(w)
        split.setSizes([170, 300, 330])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.empty)
        lay.addWidget(split, 1)
        lay.addWidget(QLabel("<b>Replay of recent turns after applying</b>", self))
        lay.addWidget(self.result_view)
        self._pending: list[Proposal] = []

    # -- data -------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        pending = self._pending = self.ctx.lab.pending_proposals(self.ctx.profile)
        self.proposals.clear()
        for p in pending:
            what = "thumbs down" if p.score < 0 else "thumbs up"
            note = p.correction or p.comment or "(no comment)"
            self.proposals.addItem(f"{what}: {note[:40]}\n{len(p.changes)} proposed changes")
        self.empty.setVisible(not pending)
        self.apply_button.setEnabled(bool(pending))
        self.reject_button.setEnabled(bool(pending))
        if pending:
            self.proposals.setCurrentRow(0)
        else:
            self.changes.clear()
            self.diff_view.clear()

    def current(self) -> Proposal | None:
        row = self.proposals.currentRow()
        return self._pending[row] if 0 <= row < len(self._pending) else None

    @Slot(int)
    def _on_proposal(self, _row: int) -> None:
        p = self.current()
        self.changes.clear()
        if p is None:
            return
        for c in p.changes:
            item = QListWidgetItem(f"[{KIND_ICON.get(c.kind, c.kind)}] {c.label()}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(c.reason)
            self.changes.addItem(item)
        self.diff_view.setHtml(self._all_diffs(p))
        if p.changes:
            self.changes.setCurrentRow(0)

    @Slot(int)
    def _on_change(self, row: int) -> None:
        if row >= 0:
            self.diff_view.scrollToAnchor(f"c{row}")

    @staticmethod
    def _all_diffs(p: Proposal) -> str:
        """Every proposed change as a diff, one section each (selecting a change scrolls to it)."""
        parts = []
        for i, c in enumerate(p.changes):
            head = f"{KIND_ICON.get(c.kind, c.kind)} · {c.action} — {c.reason}"
            parts.append(f"<a name='c{i}'></a><p style='margin-bottom:2px'><b>{html.escape(head)}</b></p>")
            parts.append(diff_html(c.diff_lines()))
        return "".join(parts)

    def checked(self) -> list[int]:
        return [
            i
            for i in range(self.changes.count())
            if self.changes.item(i).checkState() == Qt.CheckState.Checked
        ]

    # -- actions ----------------------------------------------------------------------------------
    @Slot()
    def _apply_clicked(self) -> None:
        p = self.current()
        if p is not None:
            self.accept(p.id, self.checked())

    @Slot()
    def _reject_clicked(self) -> None:
        p = self.current()
        if p is not None:
            self.ctx.lab.reject_feedback(p.id)
            self.result_view.setPlainText("Rejected: nothing was changed.")
            self.rejected.emit(p.id)
            self.refresh()

    def accept(self, proposal_id: str, indices: list[int]) -> None:
        lab = self.ctx.lab
        self.jobs.run(lambda: lab.accept_feedback(proposal_id, indices), self._on_applied, self.failed.emit)

    def _on_applied(self, out: object) -> None:
        assert isinstance(out, dict)
        self.show_replay(out.get("replay", []), len(out.get("applied", [])))
        self.applied.emit(out)
        self.refresh()

    def show_replay(self, replay: list[dict], applied: int) -> None:
        rows = [f"<p>Applied {applied} change{'s' if applied != 1 else ''}.</p>"]
        for r in replay:
            q = html.escape(r["question"])
            if r["changed"]:
                rows.append(
                    f"<p><b>{q}</b><br><span style='color:#a3121a'>before: {html.escape(r['before'])}</span><br>"
                    f"<span style='color:#11651f'>now: {html.escape(r['after'])}</span></p>"
                )
            else:
                rows.append(f"<p style='color:#777'>{q} — same answer</p>")
        self.result_view.setHtml("".join(rows))
