"""The confirmation after answering an inbox item: "Reply sent to triage · Undo", for a few seconds.

Undo is offered only while the answer can really be taken back (its run has not resumed); once the
agent acts on it the bar says so instead of pretending.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

DONE = {"accept": "Accepted · sent to {agent}", "edit": "Edit sent to {agent}",
        "response": "Reply sent to {agent}", "ignore": "Ignored · {agent} told"}  # fmt: skip
NOTE_MS = 3000


def confirmation(response: dict, agent: str) -> str:
    """'Reply sent to triage', 'Ignored · triage told (always, from now on)'."""
    text = DONE.get(str(response.get("type")), "Answer sent to {agent}").format(agent=agent)
    return text + (" (always, from now on)" if response.get("always") else "")


class AnswerBar(QFrame):
    undo_clicked = Signal(str)  # item id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.undo_btn = QPushButton("Undo")
        self.undo_btn.setToolTip("Take the answer back: the item returns to the inbox")
        self.close_btn = QPushButton("Dismiss")
        self.close_btn.setFlat(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 6, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.undo_btn)
        lay.addWidget(self.close_btn)
        self.item_id = ""
        self._hide = QTimer(self)
        self._hide.setSingleShot(True)
        self._hide.timeout.connect(self.hide)
        self.undo_btn.clicked.connect(lambda: self.undo_clicked.emit(self.item_id))
        self.close_btn.clicked.connect(self.hide)
        self.hide()

    def answered(self, item_id: str, text: str) -> None:
        """Show `text` with Undo; the page calls `resumed` when the window closes."""
        self.item_id = item_id
        self.label.setText(f"✓ {text}")
        self.undo_btn.setVisible(True)
        self.undo_btn.setEnabled(True)
        self._hide.stop()
        self.show()

    @Slot(str)
    def resumed(self, item_id: str) -> None:
        """The run resumed with the answer: no more undo for it (quietly, if it is not the one shown)."""
        if item_id == self.item_id and self.isVisible() and self.undo_btn.isVisible():
            self.note("The agent resumed with your answer; it can no longer be undone.")

    def note(self, text: str, ms: int = NOTE_MS) -> None:
        """A message without Undo that fades after `ms`."""
        self.label.setText(text)
        self.undo_btn.setVisible(False)
        self.show()
        self._hide.start(ms)
