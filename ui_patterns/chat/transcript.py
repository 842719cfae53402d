"""One conversation's transcript: a scroll area of turns that stays pinned to the bottom.

Pinned means: while the user is at the bottom, new text keeps the view there; once they scroll up to
read, streaming no longer yanks them back (the complaint every chat app gets).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui_patterns.chat.turn import TurnWidget

EXAMPLES = ("My name is Ada and I live in Paris.", "Where do I live?", "我叫李雷，我住在上海。")
PIN_SLACK_PX = 24
EMPTY_MAX_WIDTH = 560


class EmptyState(QWidget):
    """A friendly start: what the page is for, and three messages that show memory at work.

    At most 560 px wide and narrower when the transcript is: the hint wraps to whatever width it
    gets (its height follows), so no line is ever cut off.
    """

    example_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Start a conversation", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            "The agent remembers facts about you across conversations. Try one of these, then start a "
            "new conversation and ask again — watch the steps under each reply.",
            self,
        )
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.title, self.hint = title, hint
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 48, 24, 24)
        lay.setSpacing(8)
        lay.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(hint)
        self.buttons: list[QPushButton] = []
        for text in EXAMPLES:
            b = QPushButton(text, self)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, t=text: self.example_clicked.emit(t))
            self.buttons.append(b)
            lay.addWidget(b)
        lay.addStretch(1)
        self.setMaximumWidth(EMPTY_MAX_WIDTH)
        self.setMinimumWidth(200)


class Transcript(QScrollArea):
    def __init__(self, conversation_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation_id = conversation_id
        self.turns: list[TurnWidget] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        body.setObjectName("chatTranscriptBody")
        self._lay = QVBoxLayout(body)
        self._lay.setContentsMargins(16, 12, 16, 12)
        self._lay.setSpacing(4)
        self.empty = EmptyState(body)
        centred = QHBoxLayout()  # centred by stretches, not an alignment: the hint keeps wrapping
        centred.addStretch(1)
        centred.addWidget(self.empty, 100)
        centred.addStretch(1)
        self._lay.addLayout(centred)
        self._lay.addStretch(1)
        self.setWidget(body)
        self.pinned = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)

    def add_turn(self, turn: TurnWidget) -> TurnWidget:
        self.empty.hide()
        self._lay.insertWidget(self._lay.count() - 1, turn)
        turn.set_bubble_width(self._bubble_width())
        self.turns.append(turn)
        return turn

    def remove_turn(self, turn: TurnWidget) -> None:
        if turn in self.turns:
            self.turns.remove(turn)
            turn.setParent(None)
            turn.deleteLater()
        self.empty.setVisible(not self.turns)

    def clear(self) -> None:
        for t in list(self.turns):
            self.remove_turn(t)

    def scroll_to_bottom(self) -> None:
        self.pinned = True
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _bubble_width(self) -> int:
        return max(240, int(self.viewport().width() * 0.78))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        w = self._bubble_width()
        for t in self.turns:
            t.set_bubble_width(w)

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self.pinned = value >= bar.maximum() - PIN_SLACK_PX

    @Slot(int, int)
    def _on_range(self, _lo: int, hi: int) -> None:
        if self.pinned:
            self.verticalScrollBar().setValue(hi)
