"""Text bubbles of the generative-UI stream: user text, agent Markdown, errors, and answers to cards.

Agent text is Markdown, rendered without anything active: raw HTML is not parsed, images become
their alt text (a label would otherwise load a local file), links are shown but never opened.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument, QTextDocumentFragment, QTextFormat
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui_patterns.chat.bubbles import style_markdown, wrappable

from . import _style

KINDS = ("user", "agent", "error", "answer")
_MARKDOWN = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML


def markdown_document(text: str) -> QTextDocument:
    """`text` parsed as Markdown; images become their alt text (or "[image]"), links plain underlined text."""
    doc = QTextDocument()
    doc.setMarkdown(wrappable(text), _MARKDOWN)
    images: list[tuple[int, int, str]] = []
    links: list[tuple[int, int]] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "")
                images.append((fragment.position(), fragment.length(), alt or "[image]"))
            elif fmt.isAnchor():
                links.append((fragment.position(), fragment.length()))
            it += 1
        block = block.next()
    cursor = QTextCursor(doc)
    unlinked = QTextCharFormat()
    unlinked.setAnchor(False)
    unlinked.setAnchorHref("")
    unlinked.setFontUnderline(True)
    for position, length in links:
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(unlinked)
    for position, length, alt in reversed(images):
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertFragment(QTextDocumentFragment.fromPlainText(alt))
    return doc


class MessageBubble(QLabel):
    """One message. `source()` is the text as written (Markdown for the agent), whatever is shown."""

    def __init__(self, text: str = "", kind: str = "agent", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert kind in KINDS, kind
        self.kind = kind
        self._source = ""
        self.setObjectName(f"{kind}Bubble")
        self.setWordWrap(True)
        self.setOpenExternalLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        colour = _style.STATE_COLOURS["error"] if kind == "error" else "palette(text)"
        background = "palette(alternate-base)" if kind in ("user", "answer") else "transparent"
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {colour}; border-radius: {_style.RADIUS}px;"
            f" padding: {_style.GRID // 2 + 2}px {_style.GRID + 2}px; }}"
        )
        self.set_source(text)

    def source(self) -> str:
        return self._source

    def set_source(self, text: str) -> None:
        """Show `text`: agent text as sanitized Markdown, everything else as plain text."""
        self._source = text
        if self.kind == "agent":
            doc = markdown_document(text)
            style_markdown(doc, dark=self.palette().base().color().lightness() < 128)
            self.setTextFormat(Qt.TextFormat.RichText)
            self.setText(doc.toHtml())
        else:
            self.setTextFormat(Qt.TextFormat.PlainText)
            self.setText(_style.wrap_text(text))

    def append(self, piece: str) -> None:
        self.set_source(self._source + piece)
