"""Side panels of the document page: suggestions (tracked changes with accept/reject) and learned rules.

Both are thin views of the document's state; the page decides what the buttons do.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_core.collab import Comment, Suggestion
from agent_core.collab.learning import StyleRule
from ui_patterns.collab.colours import ChangeColours


def change_html(
    original: str,
    replacement: str,
    colour: str,
    limit: int = 400,
    colours: ChangeColours | None = None,
    sep: str = " ",
) -> str:
    """A tracked change as rich text: deletion struck through in the theme's danger colour, insertion
    underlined in its author's colour, each on a tint of its hue washed into the palette's base."""
    c = colours or ChangeColours.current()

    def cut(text: str) -> str:
        return html.escape(text if len(text) <= limit else text[: limit - 1] + "…").replace("\n", "<br>")

    parts = []
    if original:
        parts.append(f'<s style="color:{c.delete}; background:{c.wash(c.delete)}">{cut(original)}</s>')
    if replacement:
        parts.append(f'<u style="color:{c.ink(colour)}; background:{c.wash(colour)}">{cut(replacement)}</u>')
    return sep.join(parts) or "<i>(empty)</i>"


def _label(text: str, *, rich: bool = False, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if muted:
        label.setStyleSheet("color: palette(placeholder-text);")
    return label


def card_shape(suggestion: Suggestion, action: str, colours: ChangeColours) -> tuple:
    """What a card is built from, but its diff: while this stays the same the card is updated in place."""
    return (
        suggestion.status, suggestion.streaming, suggestion.kind, suggestion.colour,
        suggestion.conflict_reason, suggestion.note, action, colours,
    )  # fmt: skip


class SuggestionCard(QFrame):
    """One suggestion: who, what, the diff, and its buttons (Re-run instead of Accept when conflicted)."""

    def __init__(self, suggestion: Suggestion, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sid = suggestion.id
        self.setObjectName("suggestionCard")
        colours = ChangeColours.current()
        self.shape = card_shape(suggestion, action, colours)
        border = colours.delete if suggestion.status == "conflicted" else suggestion.colour
        self.setStyleSheet(
            f"QFrame#suggestionCard {{ border: 1px solid {border}; border-left: 4px solid {border};"
            " border-radius: 6px; background: palette(base); }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        state = "streaming…" if suggestion.streaming else suggestion.status
        self.header = _label(f"{suggestion.id} · {suggestion.author} · {action or suggestion.kind} · {state}")
        self.header.setStyleSheet(f"color: {colours.ink(suggestion.colour)}; font-weight: 600;")
        layout.addWidget(self.header)
        if suggestion.kind == "comment":
            self.diff = _label(suggestion.note)
        else:
            self.diff = _label("", rich=True)
            self.show_change(suggestion, colours)
        layout.addWidget(self.diff)
        if suggestion.status == "conflicted":
            warning = _label(f"⚠ Conflict — never applied: {suggestion.conflict_reason}")
            warning.setStyleSheet(f"color: {colours.delete};")
            layout.addWidget(warning)
        row = QHBoxLayout()
        row.addStretch(1)
        self.accept_button = QPushButton("Accept")
        self.reject_button = QPushButton("Reject")
        self.rerun_button = QPushButton("Re-run")
        for button in (self.rerun_button, self.reject_button, self.accept_button):
            row.addWidget(button)
        self.accept_button.setVisible(suggestion.status == "pending")
        self.accept_button.setEnabled(not suggestion.streaming)
        self.rerun_button.setVisible(suggestion.status == "conflicted")
        layout.addLayout(row)

    def show_change(self, suggestion: Suggestion, colours: ChangeColours) -> None:
        """The diff as it stands (a streaming suggestion grows chunk by chunk)."""
        if suggestion.kind == "comment":
            return
        original = "" if suggestion.kind == "insert" else suggestion.original
        text = change_html(original, suggestion.replacement, suggestion.colour, colours=colours, sep="<br>")
        if text != self.diff.text():
            self.diff.setText(text)


EMPTY_SUGGESTIONS = (
    "Put the cursor in a section (or select text) and pick a quick action: the agent's changes "
    "appear here to accept or reject, one by one or all at once."
)
EMPTY_COMMENTS = "No comments yet: Review asks the agent to read the text and comment on it."


class SuggestionsPanel(QWidget):
    """Open suggestions, newest last, with Accept all / Reject all."""

    accept_requested = Signal(str)
    reject_requested = Signal(str)
    rerun_requested = Signal(str)
    accept_all_requested = Signal()
    reject_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.count_label = _label("No suggestions", muted=True)
        self.accept_all_button = QPushButton("Accept all")
        self.reject_all_button = QPushButton("Reject all")
        self.accept_all_button.clicked.connect(self.accept_all_requested)
        self.reject_all_button.clicked.connect(self.reject_all_requested)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.accept_all_button)
        bar.addWidget(self.reject_all_button)
        layout.addLayout(bar)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setObjectName("suggestionScroll")
        holder = QWidget()
        holder.setObjectName("suggestionCards")
        # the cards sit on the tab's own surface, not on a window-coloured well
        scroll.setStyleSheet("#suggestionScroll, #suggestionCards { background: transparent; }")
        self._cards = QVBoxLayout(holder)
        self._cards.setContentsMargins(0, 4, 0, 0)
        self._cards.setSpacing(8)
        self.empty_hint = _label(EMPTY_SUGGESTIONS, muted=True)
        self._cards.addWidget(self.empty_hint)
        self._cards.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        self._by_id: dict[str, SuggestionCard] = {}

    def cards(self) -> dict[str, SuggestionCard]:
        return dict(self._by_id)

    def show_suggestions(self, suggestions: list[Suggestion], actions: dict[str, str]) -> None:
        """Cards for ``suggestions``: one whose shape is unchanged only has its diff updated (several
        streaming suggestions refresh this ~30 times a second; rebuilding every card, style sheets
        and all, took most of the page's refresh)."""
        colours = ChangeColours.current()
        old, cards = self._by_id, {}
        for suggestion in suggestions:
            action = actions.get(suggestion.id, "")
            card = old.get(suggestion.id)
            if card is not None and card.shape == card_shape(suggestion, action, colours):
                card.show_change(suggestion, colours)
            else:
                card = self._card(suggestion, action)
            cards[suggestion.id] = card
        if [id(c) for c in cards.values()] != [id(c) for c in old.values()]:
            kept = {id(c) for c in cards.values()}
            for card in old.values():
                self._cards.removeWidget(card)
                if id(card) not in kept:
                    card.hide()
                    card.deleteLater()
            for card in cards.values():
                self._cards.insertWidget(self._cards.count() - 1, card)
        self._by_id = cards
        pending = sum(1 for s in suggestions if s.status == "pending")
        conflicted = len(suggestions) - pending
        self.count_label.setText(
            f"{pending} pending" + (f", {conflicted} conflicted" if conflicted else "")
            if suggestions
            else "No suggestions"
        )
        self.empty_hint.setVisible(not suggestions)
        self.accept_all_button.setEnabled(pending > 0)
        self.reject_all_button.setEnabled(bool(suggestions))

    def _card(self, suggestion: Suggestion, action: str) -> SuggestionCard:
        card = SuggestionCard(suggestion, action)
        sid = suggestion.id
        card.accept_button.clicked.connect(lambda _c=False: self.accept_requested.emit(sid))
        card.reject_button.clicked.connect(lambda _c=False: self.reject_requested.emit(sid))
        card.rerun_button.clicked.connect(lambda _c=False: self.rerun_requested.emit(sid))
        return card


class RulesPanel(QWidget):
    """Each learned style rule beside the reviewed edits that taught it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.texts: list[str] = []
        self.show_rules([], {}, [])

    def show_rules(self, rules: list[StyleRule], reviewed: dict[str, Suggestion], facts: list[str]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.texts = [rule.text for rule in rules]
        if not rules:
            hint = "No rules yet: accept or reject a few suggestions and the agent learns your style."
            self._layout.addWidget(_label(hint, muted=True))
        colours = ChangeColours.current()
        for rule in rules:
            lines = [
                f"<b>{html.escape(rule.text)}</b> <span style='color:{colours.muted}'>({rule.topic})</span>"
            ]
            for sid in rule.taught_by:
                s = reviewed.get(sid)
                if s is not None:
                    verdict = "✓ accepted" if s.status == "accepted" else "✕ rejected"
                    lines.append(
                        f"{sid} {verdict}: {change_html(s.original, s.replacement, s.colour, 90, colours)}"
                    )
            self._layout.addWidget(_label("<br>".join(lines), rich=True))
        if facts:
            text = "<b>Facts remembered</b><br>" + "<br>".join(html.escape(f) for f in facts)
            self._layout.addWidget(_label(text, rich=True))
        self._layout.addStretch(1)


def tracked_html(text: str, suggestions: list[Suggestion]) -> str:
    """The whole document with open suggestions inline as tracked changes (the rendered preview)."""
    c = ChangeColours.current()
    out: list[str] = []
    cursor = 0
    for s in sorted(suggestions, key=lambda s: (s.start, s.end)):
        if s.start < cursor or s.kind == "comment":
            continue
        out.append(html.escape(text[cursor : s.start]))
        if s.status == "conflicted":
            out.append(
                f'<span style="background:{c.wash(c.delete)}" title="{html.escape(s.conflict_reason)}">'
            )
            out.append(
                f"{html.escape(text[s.start : s.end])}</span><sup style='color:{c.delete}'>⚠{s.id}</sup>"
            )
        else:
            original = "" if s.kind == "insert" else text[s.start : s.end]
            out.append(change_html(original, s.replacement, s.colour, 10_000, c) + f"<sup>{s.id}</sup>")
        cursor = s.end
    out.append(html.escape(text[cursor:]))
    body = "".join(out).replace("\n", "<br>")
    return f"<div style='line-height:140%'>{body}</div>"


class CommentsPanel(QWidget):
    """The agent's review comments, each with the text it was made on (or an empty-state hint)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.empty_hint = _label(EMPTY_COMMENTS, muted=True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.list, 1)

    def show_comments(self, comments: list[Comment]) -> None:
        self.list.clear()
        for c in comments:
            state = " (resolved)" if c.resolved else " (text deleted)" if c.orphaned else ""
            quoted = c.quoted if len(c.quoted) <= 60 else c.quoted[:59] + "…"
            self.list.addItem(f"{c.author}{state}: {c.text}\n   on “{quoted}”")
        self.empty_hint.setVisible(not comments)
        self.list.setVisible(bool(comments))
