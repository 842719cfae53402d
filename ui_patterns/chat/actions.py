"""Per-message action bars, the version navigator and the inline feedback/edit editors.

Kept apart from the turn so the turn reads as layout + state; these are the buttons people click.
They are hidden while a run is in progress (assistant-ui), so nothing can branch a half-written turn.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui_patterns.chat.steps import HBox


def tool_button(text: str, tip: str, parent: QWidget) -> QToolButton:
    b = QToolButton(parent)
    b.setText(text)
    b.setToolTip(tip)
    b.setAutoRaise(True)
    return b


class VersionNav(QWidget):
    """'‹ n / m ›' over the sibling versions of a message (edits or regenerations)."""

    version_requested = Signal(str, str)  # current message id, target message id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prev_button = tool_button("‹", "Previous version", self)
        self.next_button = tool_button("›", "Next version", self)
        self.label = QLabel(self)
        lay = HBox(self, 2)
        lay.addWidget(self.prev_button)
        lay.addWidget(self.label)
        lay.addWidget(self.next_button)
        self.prev_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self._ids: list[str] = []
        self._current = ""
        self.hide()

    def set_versions(self, ids: list[str], current: str) -> None:
        self._ids, self._current = ids, current
        if len(ids) < 2 or current not in ids:
            self.hide()
            return
        i = ids.index(current)
        self.label.setText(f"{i + 1} / {len(ids)}")
        self.prev_button.setEnabled(i > 0)
        self.next_button.setEnabled(i < len(ids) - 1)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def _go(self, delta: int) -> None:
        i = self._ids.index(self._current) + delta
        if 0 <= i < len(self._ids):
            self.version_requested.emit(self._current, self._ids[i])


class UserActions(QWidget):
    """Copy and edit for the user's message, plus the version navigator."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.copy_button = tool_button("Copy", "Copy this message", self)
        self.edit_button = tool_button("Edit", "Edit and regenerate from here (creates a branch)", self)
        self.versions = VersionNav(self)
        lay = HBox(self)
        lay.addStretch(1)
        lay.addWidget(self.versions)
        lay.addWidget(self.copy_button)
        lay.addWidget(self.edit_button)


class AssistantActions(QWidget):
    """Copy, regenerate and thumbs up/down for a reply."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.copy_button = tool_button("Copy", "Copy this reply", self)
        self.regenerate_button = tool_button("Regenerate", "Answer again (creates a branch)", self)
        self.thumb_up = tool_button("Good", "Thumbs up: keep this answer as an example", self)
        self.thumb_down = tool_button("Bad", "Thumbs down: tell the agent what to change", self)
        self.versions = VersionNav(self)
        lay = HBox(self)
        for w in (self.copy_button, self.regenerate_button, self.thumb_up, self.thumb_down, self.versions):
            lay.addWidget(w)
        lay.addStretch(1)


class FeedbackEditor(QWidget):
    """An optional comment for a thumb; a comment (or a thumbs down) can rewrite the instructions."""

    submitted = Signal(int, str)  # score, comment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = 0
        self.comment = QLineEdit(self)
        self.send_button = QPushButton("Send feedback", self)
        self.cancel_button = QPushButton("Cancel", self)
        lay = HBox(self)
        lay.addWidget(self.comment, 1)
        lay.addWidget(self.send_button)
        lay.addWidget(self.cancel_button)
        self.send_button.clicked.connect(self._send)
        self.comment.returnPressed.connect(self._send)
        self.cancel_button.clicked.connect(self.hide)
        self.hide()

    def open(self, score: int) -> None:
        self.score = score
        self.comment.setPlaceholderText(
            "What was good? (optional)" if score > 0 else "What should change? e.g. too long (optional)"
        )
        self.show()
        self.comment.setFocus()

    @Slot()
    def _send(self) -> None:
        self.hide()
        self.submitted.emit(self.score, self.comment.text().strip())
        self.comment.clear()


class MessageEditor(QWidget):
    """Edit a sent message in place; saving regenerates the answer on a new branch."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QPlainTextEdit(self)
        self.box.setMaximumHeight(96)
        self.save_button = QPushButton("Save && regenerate", self)
        self.cancel_button = QPushButton("Cancel", self)
        row = HBox(None)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        lay.addLayout(row)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.hide)
        self.hide()

    def open(self, text: str) -> None:
        self.box.setPlainText(text)
        self.show()
        self.box.setFocus()

    @Slot()
    def _save(self) -> None:
        text = self.box.toPlainText().strip()
        if text:
            self.hide()
            self.submitted.emit(text)


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
