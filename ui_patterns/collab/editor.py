"""CollabEditor: a QTextEdit bound to a CollabDocument, keystroke by keystroke, in both directions.

Every change the user makes becomes `user_edit` ops at once (so nothing typed is lost while an agent
streams); every change made elsewhere (accept, undo, restore, a direct agent edit) is applied to the
editor as the same small op, so the user's cursor stays where it was. Suggestions, the agent's leased
range and its authored text are drawn as extra selections, never as document text.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextEdit, QWidget

from agent_core.collab import CollabDocument, Delete, DocEvent, Insert, Op
from agent_core.collab.suggestions import colour_for
from ui_patterns.collab.colours import ChangeColours


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def py_index(text: str, qpos: int) -> int:
    """Python index of a Qt (UTF-16) position in ``text``."""
    if text.isascii():
        return min(qpos, len(text))
    units = 0
    for index, char in enumerate(text):
        if units >= qpos:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def edit_ops(old: str, new: str, hint: int) -> list[Op]:
    """The ops turning ``old`` into ``new``: one hunk, placed at or after ``hint`` (where Qt says it began).

    Capping the common prefix at the hint puts a typed 'a' in 'aa' exactly where it was typed, which
    matters for anchors (a keystroke just inside a suggestion's range must conflict it).
    """
    prefix = 0
    limit = min(len(old), len(new), max(hint, 0))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    ops: list[Op] = []
    if len(old) - suffix > prefix:
        ops.append(Delete(prefix, len(old) - suffix - prefix))
    if len(new) - suffix > prefix:
        ops.append(Insert(prefix, new[prefix : len(new) - suffix]))
    return ops


def _tint(colour: str, alpha: int) -> QColor:
    tinted = QColor(colour)
    tinted.setAlpha(alpha)
    return tinted


class CollabEditor(QTextEdit):
    """The user's view of the document; `undo_requested`/`redo_requested` go to the document's history."""

    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, doc: CollabDocument, author: str = "user", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.author = author
        self._applying = False  # a remote op is being written into the editor
        self._from_editor = False  # the document is applying the user's own op
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)  # one history: the document's (an accept is one step)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self._applying = True
        self.setPlainText(doc.text)
        self._applying = False
        self.document().contentsChange.connect(self._on_contents_change)
        self._unsubscribe = doc.subscribe(self._on_doc_event)

    def detach(self) -> None:
        self._unsubscribe()

    # -- user -> document ---------------------------------------------------------------------
    @Slot(int, int, int)
    def _on_contents_change(self, position: int, _removed: int, _added: int) -> None:
        if self._applying:
            return
        new = self.toPlainText()
        old = self.doc.text
        if new == old:
            return
        self._from_editor = True
        try:
            for op in edit_ops(old, new, py_index(new, position)):
                self.doc.user_edit(op, self.author)
        finally:
            self._from_editor = False

    # -- document -> editor -------------------------------------------------------------------
    def _on_doc_event(self, event: DocEvent) -> None:
        if event.name != "text_changed" or self._from_editor or event.op is None:
            return
        self._applying = True
        try:
            self._apply_remote(event.op)
        finally:
            self._applying = False
        if self.toPlainText() != self.doc.text:  # never drift: resync the whole text as a last resort
            self._applying = True
            cursor_pos = self.textCursor().position()
            self.setPlainText(self.doc.text)
            cursor = self.textCursor()
            cursor.setPosition(min(cursor_pos, len(self.toPlainText())))
            self.setTextCursor(cursor)
            self._applying = False

    def _apply_remote(self, op: Op) -> None:
        before = self.toPlainText()
        cursor = QTextCursor(self.document())
        if isinstance(op, Insert):
            cursor.setPosition(utf16_len(before[: op.pos]))
            cursor.insertText(op.text)
        else:
            cursor.setPosition(utf16_len(before[: op.pos]))
            cursor.setPosition(utf16_len(before[: op.end]), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()

    # -- highlights ---------------------------------------------------------------------------
    def selection_range(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        text = self.toPlainText()
        return py_index(text, cursor.selectionStart()), py_index(text, cursor.selectionEnd())

    def cursor_index(self) -> int:
        return py_index(self.toPlainText(), self.textCursor().position())

    def refresh_highlights(self) -> None:
        """Agent-authored spans, the agent's leased range, and each open suggestion's original text."""
        text = self.doc.text
        delete = ChangeColours.current(self.palette()).delete
        selections: list[QTextEdit.ExtraSelection] = []

        def add(start: int, end: int, fmt: QTextCharFormat, tooltip: str = "") -> None:
            if end <= start:
                return
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(utf16_len(text[:start]))
            cursor.setPosition(utf16_len(text[:end]), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            if tooltip:
                fmt.setToolTip(tooltip)
            selection.format = fmt
            selections.append(selection)

        for span in self.doc.author_spans():
            if span.author != self.author:
                fmt = QTextCharFormat()
                fmt.setBackground(_tint(self._colour(span.author), 40))
                add(span.start, span.end, fmt, f"written by {span.author}")
        for presence in self.doc.presence().values():
            if presence.author != self.author and presence.selection:
                fmt = QTextCharFormat()
                fmt.setBackground(_tint(self._colour(presence.author), 30))
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
                add(*presence.selection, fmt, f"{presence.author}: {presence.activity}")
        for suggestion in self.doc.suggestions(open_only=True):
            fmt = QTextCharFormat()
            if suggestion.status == "conflicted":
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor(delete))
                add(suggestion.start, suggestion.end, fmt, f"conflict: {suggestion.conflict_reason}")
            elif suggestion.kind != "insert" and suggestion.kind != "comment":
                fmt.setFontStrikeOut(True)
                fmt.setForeground(QColor(delete))
                fmt.setBackground(_tint(delete, 40))
                add(
                    suggestion.start,
                    suggestion.end,
                    fmt,
                    f"{suggestion.id}: → {suggestion.replacement[:200]}",
                )
        self.setExtraSelections(selections)

    def _colour(self, author: str) -> str:
        return next((s.colour for s in self.doc.suggestions(author=author)), colour_for(author))

    # -- keys -----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            self.redo_requested.emit()
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        """Paste plain text only (the document is Markdown source)."""
        if source.hasText():
            self.textCursor().insertText(source.text())
