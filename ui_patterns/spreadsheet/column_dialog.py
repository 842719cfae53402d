"""Add an agent column: a prompt with `{Column}` references, autocompleted and validated as you type."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, Slot
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from agent_core.sheet import OUTPUT_TYPES, Column, DependencyGraph, SheetSpecError, references

_OPEN_REF = re.compile(r"\{([^{}\n]*)$")


def check_column(name: str, prompt: str, output_type: str, options: str,
                 existing: Sequence[Column]) -> tuple[Column | None, str]:  # fmt: skip
    """The column the fields describe, or None and the first problem, in words for the dialog."""
    known = {column.name for column in existing}
    refs = references(prompt)
    unknown = [ref for ref in refs if ref not in known and ref != name.strip()]
    if unknown:
        return None, "Unknown column " + ", ".join(f"{{{ref}}}" for ref in unknown)
    if name.strip().casefold() in {n.casefold() for n in known}:
        return None, f"A column named '{name.strip()}' already exists"
    try:
        column = Column(
            name, "agent", prompt, output_type, tuple(o.strip() for o in options.split(",") if o.strip())
        )
        DependencyGraph([*existing, column])
    except SheetSpecError as exc:
        return None, str(exc)
    used = ", ".join(f"{{{ref}}}" for ref in refs) or "no columns (same answer for every row?)"
    return column, f"✓ Reads {used}"


class PromptEdit(QPlainTextEdit):
    """A prompt editor that offers column names after `{` (Tab or Enter accepts, Esc dismisses)."""

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.completer = QCompleter(QStringListModel(list(names), self), self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self.insert_reference)
        self.textChanged.connect(self._offer)

    def open_prefix(self) -> str | None:
        """The text typed after an unclosed `{` just before the cursor, if any."""
        cursor = self.textCursor()
        before = self.toPlainText()[: cursor.position()]
        match = _OPEN_REF.search(before)
        return match.group(1) if match else None

    @Slot()
    def _offer(self) -> None:
        prefix = self.open_prefix()
        popup = self.completer.popup()
        if prefix is None:
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(220)
        self.completer.complete(rect)

    @Slot(str)
    def insert_reference(self, name: str) -> None:
        prefix = self.open_prefix()
        if prefix is None:
            return
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix))
        cursor.insertText(name + "}")
        self.setTextCursor(cursor)
        self.completer.popup().hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = (Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        if self.completer.popup().isVisible() and event.key() in keys:
            event.ignore()  # the completer's popup handles these
            return
        super().keyPressEvent(event)


class AddColumnDialog(QDialog):
    """Name, prompt, output type and options; OK is enabled only for a column the sheet accepts."""

    def __init__(self, existing: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add agent column")
        self.setMinimumWidth(480)
        self._existing = list(existing)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Industry")
        self.prompt = PromptEdit([column.name for column in existing])
        self.prompt.setPlaceholderText("e.g. Industry of {Company} — type { to pick a column")
        self.prompt.setMaximumHeight(110)
        self.output_type = QComboBox()
        self.output_type.addItems(list(OUTPUT_TYPES))
        self.options = QLineEdit()
        self.options.setPlaceholderText("comma-separated, for category columns")
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Prompt", self.prompt)
        form.addRow("Output type", self.output_type)
        form.addRow("Options", self.options)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        for signal in (self.name.textChanged, self.prompt.textChanged, self.options.textChanged,
                       self.output_type.currentTextChanged):  # fmt: skip
            signal.connect(self._validate)
        self._column: Column | None = None
        self._validate()

    @Slot()
    def _validate(self) -> None:
        self.options.setEnabled(self.output_type.currentText() == "category")
        if not self.name.text().strip() or not self.prompt.toPlainText().strip():
            column, message = None, "Give the column a name and a prompt."
        else:
            column, message = check_column(
                self.name.text(),
                self.prompt.toPlainText(),
                self.output_type.currentText(),
                self.options.text() if self.options.isEnabled() else "",
                self._existing,
            )
        self._column = column
        self.status.setText(message)
        self.status.setStyleSheet("color: #2e8b57;" if column else "color: #c0392b;")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(column is not None)

    def column(self) -> Column | None:
        return self._column
