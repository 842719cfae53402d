"""Message bubbles: Markdown that wraps (long words, Chinese), rendered at most every 30 ms while streaming.

Streaming can deliver hundreds of tokens a second; re-parsing Markdown for each one would stall the
GUI thread, so tokens go into a buffer and one coalescing timer repaints the bubble. Each render
measures the text once and fixes the label's size: a word-wrapped label otherwise answers every
layout pass of the transcript with a fresh text layout, and with a dozen long replies on screen
those passes took 30–110 ms each while the next reply streamed.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

RENDER_INTERVAL_MS = 30
_LONG_WORD = re.compile(r"(?<![`(<])\b(\S{28,})")
_FENCE = re.compile(r"(```.*?(?:```|$))", re.S)

BUBBLE_QSS = """
QFrame#chatBubble { border-radius: 12px; border: 1px solid palette(midlight); }
QFrame#chatBubble[role="user"] { background: palette(alternate-base); }
QFrame#chatBubble[role="assistant"] { background: palette(base); }
QFrame#chatBubble[state="error"] { border: 1px solid #c0392b; }
QFrame#chatBubble[state="stopped"] { border: 1px dashed palette(mid); }
"""


HEADING_SCALE = {1: 1.3, 2: 1.18, 3: 1.08}
CODE_BACKGROUND = {False: "#eef1f5", True: "#262b35"}  # light, dark


def style_markdown(doc: QTextDocument, *, dark: bool) -> None:
    """Chat-sized headings and shaded code blocks (Qt's defaults are page-sized and unshaded)."""
    cursor = QTextCursor(doc)
    base = doc.defaultFont().pointSizeF()
    code_bg = QColor(CODE_BACKGROUND[dark])
    block = doc.begin()
    while block.isValid():
        fmt = block.blockFormat()
        level = fmt.headingLevel()
        if level:
            chars = QTextCharFormat()
            chars.setProperty(QTextFormat.Property.FontSizeAdjustment, 0)  # Qt's heading sizes
            chars.setFontPointSize(base * HEADING_SCALE.get(level, 1.0))
            chars.setFontWeight(QFont.Weight.DemiBold)
            cursor.setPosition(block.position())
            cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(chars)
            plain = QTextBlockFormat()
            plain.setHeadingLevel(0)  # exported as <hN>, a label would size it by its own rules again
            plain.setTopMargin(6)
            plain.setBottomMargin(2)
            cursor.mergeBlockFormat(plain)
        elif fmt.nonBreakableLines():  # a fenced or indented code block
            shaded = QTextBlockFormat()
            shaded.setBackground(code_bg)
            cursor.setPosition(block.position())
            cursor.mergeBlockFormat(shaded)
        block = block.next()


class _MeasuredLabel(QLabel):
    """A word-wrapped label whose size the bubble fixes after measuring: layouts never re-measure it."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


def _zwsp(m: re.Match[str]) -> str:
    return "\u200b".join(re.findall(r".{1,20}", m.group(1)))


def wrappable(markdown: str) -> str:
    """Give very long words (URLs, hashes) break opportunities; code fences are left untouched."""
    parts = _FENCE.split(markdown)
    for i, part in enumerate(parts):
        if not part.startswith("```"):
            parts[i] = _LONG_WORD.sub(_zwsp, part)
    return "".join(parts)


class Bubble(QFrame):
    """One message's text. `role` (user/assistant) and `state` are QSS properties, so both palettes work."""

    def __init__(self, role: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatBubble")
        self.setProperty("role", role)
        self.setProperty("state", "complete")
        self.role = role
        self._text = text
        self.label = _MeasuredLabel(self)
        self.label.setWordWrap(True)
        # assistant Markdown is parsed here and handed over as styled rich text (see `render`)
        self.label.setTextFormat(Qt.TextFormat.RichText if role == "assistant" else Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.label.setOpenExternalLinks(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.addWidget(self.label)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Minimum)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self.render)
        self.render()

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self.render()

    def append(self, piece: str) -> None:
        """Add streamed text; the repaint is coalesced by a timer."""
        self._text += piece
        if not self._timer.isActive():
            self._timer.start()

    def set_state(self, state: str) -> None:
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)

    def set_max_width(self, width: int) -> None:
        self._max_width = width
        self.setMaximumWidth(width)
        self.render()

    @Slot()
    def render(self) -> None:
        """Set the text and size the bubble to it: as wide as the text wants, at most the max width.

        A word-wrapped QLabel under a Maximum policy reports a narrow size hint and gets clipped;
        measuring the ideal width with a QTextDocument and fixing the label's width avoids that.
        """
        self._timer.stop()
        text = wrappable(self._text) if self.role == "assistant" else _LONG_WORD.sub(_zwsp, self._text)
        doc = QTextDocument()
        doc.setDefaultFont(self.label.font())
        if self.role == "assistant":
            doc.setMarkdown(text)
            style_markdown(doc, dark=self.palette().base().color().lightness() < 128)
            self.label.setText(doc.toHtml())
        else:
            doc.setPlainText(text)
            self.label.setText(text)
        self.setVisible(bool(self._text) or self.role == "user")
        inner = max(40, getattr(self, "_max_width", 600) - 26)
        width = min(inner, int(doc.idealWidth()) + 4)
        self.label.setFixedSize(width, max(0, QLabel.heightForWidth(self.label, width)))
