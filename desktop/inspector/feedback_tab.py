"""Feedback preview: pending proposals from thumbs-down, corrections and edits, as a diff to accept.

Each proposed change (a semantic fact, a new instruction version, an example's score) has a check
box; "Apply checked" applies exactly those, then the page shows which recent answers would now
come out differently (the replay). Proposals are rows in SQLite, listed by a query on a worker
and reloaded when the store announces one (the agent engine makes them); accepting and rejecting
run in the engine (the replay makes model calls).
"""

from __future__ import annotations

import html
from collections.abc import Callable

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

from agent_core.chat.feedback import Proposal
from agent_core.chat.proposals import PROPOSAL_EVENT
from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
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
    loaded = Signal(int)  # pending proposals listed
    applied = Signal(dict)  # Lab.accept_feedback's answer
    rejected = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: LabContext, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self._pending: list[Proposal] = []
        self._busy = False  # an accept or reject is on its way to the engine
        ctx.memory_changed.connect(self._on_memory_changed)
        ctx.profile_changed.connect(self._on_profile_changed)

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

    # -- data -------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        lab, profile = self.ctx.lab, self.ctx.profile
        self.jobs.latest(
            "feedback-proposals", lambda: lab.pending_proposals(profile), self._on_loaded, self.failed.emit
        )

    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, list)
        shown = self.current()
        pending = self._pending = result
        ids = [p.id for p in pending]
        keep = shown is not None and shown.id in ids  # a reload keeps what the user checked
        self.proposals.blockSignals(True)
        self.proposals.clear()
        for p in pending:
            what = "thumbs down" if p.score < 0 else "thumbs up"
            note = p.correction or p.comment or "(no comment)"
            self.proposals.addItem(f"{what}: {note[:40]}\n{len(p.changes)} proposed changes")
        self.proposals.setCurrentRow(ids.index(shown.id) if keep and shown is not None else -1)
        self.proposals.blockSignals(False)
        self.empty.setVisible(not pending)
        self._enable()
        if pending and not keep:
            self.proposals.setCurrentRow(0)
        elif not pending:
            self.changes.clear()
            self.diff_view.clear()
        self.loaded.emit(len(pending))

    def current(self) -> Proposal | None:
        row = self.proposals.currentRow()
        return self._pending[row] if 0 <= row < len(self._pending) else None

    @Slot(str, str, list)
    def _on_memory_changed(self, event: str, namespace: str, _ids: list) -> None:
        if event == PROPOSAL_EVENT and namespace == self.ctx.profile and self.built and not self.jobs.closed:
            self.refresh()

    @Slot(str)
    def _on_profile_changed(self, _profile: str) -> None:
        if self.built and not self.jobs.closed:
            self.refresh()

    def _enable(self) -> None:
        on = bool(self._pending) and not self._busy
        self.apply_button.setEnabled(on)
        self.reject_button.setEnabled(on)

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

    # -- actions (in the agent engine) -------------------------------------------------------------
    @Slot()
    def _apply_clicked(self) -> None:
        p = self.current()
        if p is not None:
            self.accept(p.id, self.checked())

    @Slot()
    def _reject_clicked(self) -> None:
        p = self.current()
        if p is not None:
            pid = p.id
            self._call(lambda _out: self._on_rejected(pid), Lab.reject_feedback, pid)

    def accept(self, proposal_id: str, indices: list[int]) -> None:
        self._call(self._on_applied, Lab.accept_feedback, proposal_id, indices)

    def _call(self, then: Callable[[object], None], method: Callable[..., object], *args: object) -> None:
        self._busy = True
        self._enable()
        self.jobs.when_done(lab_service(self.ctx.engine).call(method, *args), then, self._on_failed)

    def _on_applied(self, out: object) -> None:
        assert isinstance(out, dict)
        self._busy = False
        self.show_replay(out.get("replay", []), len(out.get("applied", [])))
        self.applied.emit(out)
        self.refresh()

    def _on_rejected(self, proposal_id: str) -> None:
        self._busy = False
        self.result_view.setPlainText("Rejected: nothing was changed.")
        self.rejected.emit(proposal_id)
        self.refresh()

    def _on_failed(self, message: str) -> None:
        """E.g. settled meanwhile in another window or process: say so and show what is left."""
        self._busy = False
        self.failed.emit(message)
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
