"""CollabPage: the user and a writing agent edit one Markdown document at the same time.

Quick actions run on the section under the cursor (or the selection) and stream in as tracked changes
while the user keeps typing; each suggestion is accepted or rejected on its own or all at once. Reviews
teach style rules, committed as the writer agent's procedural memory, shown beside the edits that taught them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.collab import CollabDocument, CollabError, DocEvent
from agent_core.collab.actions import Action, section_at, split_sections
from agent_core.collab.agent_tasks import review_comments
from agent_core.collab.suggestions import colour_for
from ui_patterns.collab.colours import ChangeColours
from ui_patterns.collab.editor import CollabEditor
from ui_patterns.collab.learner import Learner
from ui_patterns.collab.panel import CommentsPanel, RulesPanel, SuggestionsPanel, tracked_html
from ui_patterns.collab.runner import AGENT, ActionRun, ActionRunner, Target
from ui_patterns.common import LabContext, PatternPage
from ui_patterns.spreadsheet.wrapbar import WrapBar

SAMPLE = """# Launch plan

Hey guys, we're gonna ship the new memory inspector next week. It's basically done, but the docs are kinda thin and we dunno if the import flow is ok.

## Goals

We want people to see what the agent remembers and why. The inspector should show recall scores, the facts behind them and a way to correct them. Many teams try to build this themselves and it is important to make it fast.

## Risks

The Chroma index can fall behind SQLite after a crash. Reconciliation at start-up fixes it, but it takes time on big profiles. We should make the progress visible so nobody thinks the app froze.
"""
ACTIONS: tuple[tuple[str, Action], ...] = (
    ("Rewrite", "rewrite"),
    ("Continue", "continue"),
    ("Summarise", "summarise"),
    ("Fix tone", "fix_tone"),
)

#: What the page says when the agent's answer would change nothing (no suggestion is offered then).
UNCHANGED: dict[str, str] = {
    "rewrite": "The rewrite of {target} came back unchanged — nothing to suggest.",
    "continue": "The agent had nothing to add after {target}.",
    "summarise": "{target} is already as short as its summary — nothing to suggest.",
    "fix_tone": "{target} is already in that tone — nothing to change.",
}


class CollabPage(PatternPage):
    title = "Document"
    subtitle = "Write with an agent: live suggestions, per-hunk review, learned style rules."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None, *, text: str = SAMPLE) -> None:
        super().__init__(ctx, parent)
        self.doc = CollabDocument(text)
        self.runner = ActionRunner(self.doc, ctx.engine, self)
        self.runner.finished.connect(self._on_run_finished)
        self.learner = Learner(ctx, self)
        self.learner.changed.connect(self._show_rules)
        self._unsubscribe = self.doc.subscribe(self._on_doc_event)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.refresh)
        self._history_dirty = True

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(self._build_toolbar())

        self.editor = CollabEditor(self.doc)
        self.editor.setAccessibleName("Document text")
        self.editor.undo_requested.connect(self.undo)
        self.editor.redo_requested.connect(self.redo)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName("Tracked changes")
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self.editor)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 6, 0, 0)
        preview_layout.setSpacing(4)
        caption = QLabel("Tracked changes")
        caption.setProperty("role", "hint")
        preview_layout.addWidget(caption)
        preview_layout.addWidget(self.preview)
        left.addWidget(preview_box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)

        self.suggestions = SuggestionsPanel()
        self.suggestions.accept_requested.connect(self.accept)
        self.suggestions.reject_requested.connect(self.reject)
        self.suggestions.rerun_requested.connect(self.rerun)
        self.suggestions.accept_all_requested.connect(self.accept_all)
        self.suggestions.reject_all_requested.connect(self.reject_all)
        self.rules = RulesPanel()
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        self.history = QListWidget()
        self.restore_button = QPushButton("Restore selected version")
        self.restore_button.clicked.connect(self._on_restore)
        history_layout.addWidget(self.history, 1)
        history_layout.addWidget(self.restore_button)
        self.comments = CommentsPanel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        # every tab stays readable: no scroll arrows, no eliding; the splitter keeps the bar's width
        self.tabs.tabBar().setUsesScrollButtons(False)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.tabBar().setExpanding(False)
        for widget, label in (
            (self.suggestions, "Suggestions"),
            (self.rules, "Learned rules"),
            (history_box, "History"),
            (self.comments, "Comments"),
        ):
            widget.setContentsMargins(8, 8, 8, 8)
            self.tabs.addTab(widget, label)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        layout.addWidget(split, 1)
        footer = QHBoxLayout()
        footer.setSpacing(12)
        self.presence_label = QLabel("")  # down here, so the editor does not jump while the agent works
        self.presence_label.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setProperty("role", "hint")
        footer.addWidget(self.presence_label)
        footer.addWidget(self.status, 1)
        layout.addLayout(footer)
        self.refresh()

    def _build_toolbar(self) -> QHBoxLayout:
        """Quick actions and Review wrap onto a second line on a narrow window; Undo/Redo stay right."""
        bar = WrapBar(spacing=6)
        actions = QWidget()
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.action_buttons: dict[str, QPushButton] = {}
        for text_, action in ACTIONS:
            button = QPushButton(text_)
            button.setToolTip(f"{text_} the section under the cursor (or the selection)")
            button.clicked.connect(lambda _c=False, a=action: self.run_action(a))
            self.action_buttons[action] = button
            row.addWidget(button)
        bar.add(actions)
        self.review_button = QPushButton("Review")
        self.review_button.setToolTip("The agent reads the selection (or the document) and leaves comments")
        self.review_button.clicked.connect(self.review)
        bar.add(self.review_button)
        self.direct_box = QCheckBox("Agent edits directly")
        self.direct_box.setToolTip("Apply the agent's text at once instead of offering a suggestion")
        bar.add(self.direct_box)
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        line = QHBoxLayout()
        line.setSpacing(6)
        line.addWidget(bar, 1)
        line.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.redo_button, 0, Qt.AlignmentFlag.AlignTop)
        return line

    # -- agent actions ------------------------------------------------------------------------
    def target(self) -> Target | None:
        """The selection, else the section under the cursor."""
        text, version = self.doc.text, self.doc.version
        selected = self.editor.selection_range()
        if selected is not None and selected[1] > selected[0]:
            return Target(*selected, text[selected[0] : selected[1]], "the selection", version)
        section = section_at(text, self.editor.cursor_index()) or next(iter(split_sections(text)), None)
        if section is None or section.end <= section.start:
            return None
        return Target(section.start, section.end, section.text(text), f"§{section.index + 1}", version)

    def run_action(self, action: Action, target: Target | None = None) -> ActionRun | None:
        target = target or self.target()
        if target is None:
            self.status.setText("Nothing to work on yet: write something first.")
            return None
        try:
            run = self.runner.start(
                action, target, direct=self.direct_box.isChecked(), rules=self.learner.rule_texts
            )
        except CollabError as exc:
            self.status.setText(f"Could not start: {exc}")
            return None
        self.refresh()
        return run

    def section_target(self, index: int) -> Target:
        section = split_sections(self.doc.text)[index]
        return Target(
            section.start, section.end, section.text(self.doc.text), f"§{index + 1}", self.doc.version
        )

    @Slot(str)
    def rerun(self, sid: str) -> None:
        self.runner.rerun(sid, self.learner.rule_texts)

    @Slot()
    def review(self) -> None:
        """Comment on the selection (or the whole document); always say what came of it."""
        selected = self.editor.selection_range()
        start, end = selected if selected and selected[1] > selected[0] else (0, len(self.doc.text))
        scope = "the selection" if (start, end) != (0, len(self.doc.text)) else "the document"
        found = [(start + s, start + e, r) for s, e, r in review_comments(self.doc.text[start:end])]
        added = 0
        for s, e, remark in found:
            if not any(c.start == s and c.text == remark for c in self.doc.comments()):
                self.doc.add_comment(AGENT, s, e, remark)
                added += 1
        if not found:
            self.status.setText(f"No issues found in {scope}.")
            return
        if not added:
            self.status.setText(f"No new issues in {scope}: the {len(found)} found already have comments.")
        else:
            self.status.setText(f"Review of {scope}: {added} comment{'s' * (added != 1)} added.")
        self.tabs.setCurrentWidget(self.comments)

    @Slot(object, str)
    def _on_run_finished(self, run: ActionRun, error: str) -> None:
        if error:
            self.status.setText(f"{run.action} {run.target.label}: {error}")
        elif run.unchanged:
            self.status.setText(UNCHANGED[run.action].format(target=run.target.label))
        self.refresh()

    # -- review -------------------------------------------------------------------------------
    def _guard(self, fn: object, *args: object) -> None:
        """Run a review step, then let the learner re-derive rules and name any it just learned."""
        known = set(self.learner.rule_texts)
        try:
            fn(*args)  # type: ignore[operator]
        except CollabError as exc:
            self.status.setText(str(exc))
        else:
            self.learner.learn(self.doc)
            learned = [text for text in self.learner.rule_texts if text not in known]
            if learned:
                quoted = "; ".join(f"“{text}”" for text in learned)
                self.status.setText(f"Learned from your reviews: {quoted} — see Learned rules.")
        self.refresh()

    @Slot(str)
    def accept(self, sid: str) -> None:
        self._guard(self.doc.accept, sid)

    @Slot(str)
    def reject(self, sid: str) -> None:
        self._guard(self.doc.reject, sid)

    @Slot()
    def accept_all(self) -> None:
        self._guard(self.doc.accept_all)

    @Slot()
    def reject_all(self) -> None:
        self._guard(self.doc.reject_all)

    @Slot()
    def undo(self) -> None:
        self._guard(self.doc.undo)

    @Slot()
    def redo(self) -> None:
        self._guard(self.doc.redo)

    @Slot()
    def _on_restore(self) -> None:
        item = self.history.currentItem()
        if item is not None:
            self._guard(self.doc.restore, int(item.data(Qt.ItemDataRole.UserRole)))

    # -- views --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """A theme switch re-renders the tracked changes in the new palette's colours."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange) and hasattr(self, "rules"):
            self._show_rules()
            if not self._timer.isActive():
                self._timer.start()

    def _on_doc_event(self, event: DocEvent) -> None:
        if event.name == "version_added":
            self._history_dirty = True
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def refresh(self) -> None:
        open_ = self.doc.suggestions(open_only=True)
        self.suggestions.show_suggestions(open_, self.runner.actions)
        self.editor.refresh_highlights()
        self.preview.setHtml(tracked_html(self.doc.text, open_))
        presence = self.doc.presence().get(AGENT)
        self.presence_label.setText(f"Agent: {presence.activity}" if presence else "")
        self.presence_label.setVisible(presence is not None)
        ink = ChangeColours.current(self.palette()).ink(colour_for(AGENT))
        self.presence_label.setStyleSheet(f"color: {ink}; font-weight: 600;")
        self.undo_button.setEnabled(self.doc.can_undo)
        self.redo_button.setEnabled(self.doc.can_redo)
        if self._history_dirty:
            self._history_dirty = False
            self.history.clear()
            for snap in reversed(self.doc.snapshots()):
                self.history.addItem(f"v{snap.version} · {snap.author} · {snap.description}")
                self.history.item(self.history.count() - 1).setData(Qt.ItemDataRole.UserRole, snap.version)
        self.comments.show_comments(self.doc.comments())

    @Slot()
    def _show_rules(self) -> None:
        self.rules.show_rules(self.learner.rules, self.learner.reviewed, self.learner.fact_texts)

    def shutdown(self) -> None:
        self.runner.close()
        self.learner.shutdown()
        self.editor.detach()
        self._unsubscribe()
