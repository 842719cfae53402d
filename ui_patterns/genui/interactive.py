"""Human-in-the-loop components: a form and a confirmation. The run waits until they answer.

Both emit `responded(dict)` once, with typed values, then turn read-only ("answered: …"). Either can
be skipped (`skip()`, {"status": "skipped"}), so a locked composer always has a way out. A stored
answer can be put back with `restore_response` (e.g. after a restart) without emitting again.
`summary(response)` is the answer in words, for the card's banner and the chat stream.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from . import _style
from .base import ComponentState, ToolComponent
from .cards import _column, _or_skeleton, fmt_number

_INT = re.compile(r"[+-]?\d+")

FieldWidget = QLineEdit | QComboBox | QDateEdit


def parse_number(text: str) -> int | float:
    """'4' → 4, '2.5' or '2,5' → 2.5; raises ValueError for anything else (nan/inf included)."""
    text = text.strip().replace(" ", "")
    if _INT.fullmatch(text):
        return int(text)
    value = float(text.replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def hint_text(placeholder: object) -> str:
    """A placeholder that cannot be mistaken for a value: '4' → 'e.g. 4'; empty stays empty."""
    text = str(placeholder or "").strip()
    if not text or text.lower().startswith(("e.g.", "eg ", "for example")) or text.endswith("…"):
        return text
    return f"e.g. {text}"


def _spoken(value: object, kind: object) -> str:
    """A submitted value as a person would say it: dates as 'Fri 6 Jun 2025', numbers trimmed."""
    if kind == "date" and isinstance(value, str):
        date = QDate.fromString(value, "yyyy-MM-dd")
        if date.isValid():
            return date.toString("ddd d MMM yyyy")
    return fmt_number(value)


class InteractiveComponent(ToolComponent):
    """Shared waiting/answered behaviour; subclasses add inputs and call `_answer`."""

    interactive = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._banner: QLabel | None = None
        self._response: dict[str, Any] | None = None

    def response(self) -> dict[str, Any] | None:
        """The answer given (or restored), None while waiting."""
        return None if self._response is None else dict(self._response)

    def summary(self, response: Mapping[str, Any]) -> str:
        """The answer in words, for the stream ("Book a table — Guests: 4 · Time: 20:00"), never JSON."""
        return f"{self._heading()} — {self.details(response)}"

    def details(self, response: Mapping[str, Any]) -> str:
        """The answer without the question ("Guests: 4 · Time: 20:00", "Keep them", "skipped")."""
        status = str(response.get("status", ""))
        return "skipped" if status == "skipped" else self._summary(dict(response))

    @Slot()
    def skip(self) -> None:
        """Dismiss the card without an answer; the agent is told it was skipped."""
        if self.state() == ComponentState.WAITING:
            self._answer({"status": "skipped"}, emit=True)

    def _heading(self) -> str:
        return str(self._args.get("title") or self.tool_name) if isinstance(self._args, Mapping) else ""

    def restore_response(self, response: Mapping[str, Any]) -> None:
        """Show a previously given answer read-only, without emitting `responded`."""
        self._answer(dict(response), emit=False)

    def _waiting_banner(self, partial: bool) -> QLabel:
        text = (
            "The question is still arriving …"
            if partial
            else "Waiting for you — the agent pauses until you answer."
        )
        self._banner = _style.label(text, bold=not partial, italic=partial, muted=partial)
        if not partial:
            self._banner.setStyleSheet(f"color: {_style.STATE_COLOURS['waiting']};")
        return self._banner

    def _answer(self, response: dict[str, Any], *, emit: bool) -> None:
        if self.state() in (ComponentState.ANSWERED, ComponentState.DENIED, ComponentState.ERROR):
            return
        self._response = response
        self._freeze(response)
        if self._banner is not None:
            given = response.get("status") not in ("skipped", "cancelled") or "confirmed" in response
            text = (
                f"✓ Answered: {self.details(response)}"
                if given
                else f"✕ {self.details(response).capitalize()}"
            )
            self._banner.setText(_style.wrap_text(text))
            self._banner.setStyleSheet(f"color: {_style.STATE_COLOURS['answered']};")
        self._set_state(ComponentState.ANSWERED)
        if emit:
            self.responded.emit(dict(response))

    def _freeze(self, response: dict[str, Any]) -> None:
        raise NotImplementedError

    def _summary(self, response: dict[str, Any]) -> str:
        raise NotImplementedError


class FormCard(InteractiveComponent):
    """Inputs per field (text, number, choice, date); responds {"status": "submitted", "values": {...}}."""

    tool_name = "ask_form"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields: list[tuple[Mapping[str, Any], FieldWidget, QLabel]] = []
        self._submit: QPushButton | None = None
        self._cancel: QPushButton | None = None

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        self._fields = []
        title = _or_skeleton(args, "title", partial, args.get("title", ""), bold=True, size=2)
        if title is not None:
            layout.addWidget(title)
        for field in args.get("fields") or []:
            star = " *" if field.get("required") else ""
            group, group_layout = _column()
            group_layout.setSpacing(_style.GRID // 2)  # label sits closer to its own input
            group_layout.addWidget(_style.label(f"{field.get('label') or field.get('name', '…')}{star}"))
            widget = self._input_for(field)
            widget.setObjectName(f"field_{field.get('name', '')}")
            widget.setEnabled(not partial)
            group_layout.addWidget(widget)
            error = _style.label("")
            error.setStyleSheet(f"color: {_style.STATE_COLOURS['error']};")
            error.hide()
            group_layout.addWidget(error)
            layout.addWidget(group)
            self._fields.append((field, widget, error))
        if partial:
            layout.addWidget(_style.skeleton("more fields"))
        self._cancel = QPushButton(args.get("cancel_label") or "Cancel")
        self._cancel.setObjectName("cancel")
        self._cancel.setToolTip("Close the form without sending anything; the agent is told.")
        self._cancel.clicked.connect(self.cancel)
        self._submit = QPushButton(args.get("submit_label") or "Submit")
        self._submit.setObjectName("submit")
        self._submit.setDefault(True)
        self._submit.clicked.connect(self.submit)
        row = QHBoxLayout()
        row.setSpacing(_style.GRID)
        row.addWidget(self._waiting_banner(partial), 1)
        for button in (self._cancel, self._submit):
            button.setEnabled(not partial)
            row.addWidget(button)
        layout.addLayout(row)
        return body

    @staticmethod
    def _input_for(field: Mapping[str, Any]) -> FieldWidget:
        """The input for one field, prefilled with its `default`; a placeholder reads as a hint."""
        kind, default = field.get("type"), field.get("default")
        if kind == "choice":
            combo = QComboBox()
            combo.addItems([str(option) for option in field.get("options") or []])
            combo.setPlaceholderText("Choose …")
            combo.setCurrentIndex(combo.findText(str(default)) if default is not None else -1)
            return combo
        if kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            given = QDate.fromString(str(default), "yyyy-MM-dd") if default else QDate()
            edit.setDate(given if given.isValid() else QDate.currentDate())
            return edit
        line = QLineEdit()
        if default is not None:
            line.setText(fmt_number(default) if isinstance(default, int | float) else str(default))
        line.setPlaceholderText(hint_text(field.get("placeholder")))
        return line

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Typed values by field name, and errors by field name (required, not a number)."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for field, widget, _ in self._fields:
            name, value = str(field.get("name", "")), None
            if isinstance(widget, QComboBox):
                value = widget.currentText() if widget.currentIndex() >= 0 else None
            elif isinstance(widget, QDateEdit):
                value = widget.date().toString("yyyy-MM-dd")
            elif text := widget.text().strip():
                if field.get("type") == "number":
                    try:
                        value = parse_number(text)
                    except ValueError:
                        errors[name] = f"expected a number, got {text!r}"
                else:
                    value = text
            if value is None and field.get("required") and name not in errors:
                errors[name] = "required"
            values[name] = value
        return values, errors

    @Slot()
    def submit(self) -> None:
        """Validate the inputs; on success emit `responded` and turn read-only."""
        if self.state() != ComponentState.WAITING:
            return
        values, errors = self.values()
        for field, _, error in self._fields:
            message = errors.get(str(field.get("name", "")))
            error.setText(message or "")
            error.setVisible(bool(message))
        if not errors:
            self._answer({"status": "submitted", "values": values}, emit=True)

    @Slot()
    def cancel(self) -> None:
        """Close the form unanswered: responds {"status": "cancelled"}."""
        if self.state() == ComponentState.WAITING:
            self._answer({"status": "cancelled"}, emit=True)

    def _freeze(self, response: dict[str, Any]) -> None:
        given = response.get("values") or {}
        for field, widget, error in self._fields:
            value = given.get(field.get("name"))
            if isinstance(widget, QLineEdit) and value is not None:
                widget.setText(fmt_number(value) if isinstance(value, int | float) else str(value))
            elif isinstance(widget, QComboBox) and value is not None:
                widget.setCurrentText(str(value))
            elif isinstance(widget, QDateEdit) and isinstance(value, str):
                widget.setDate(QDate.fromString(value, "yyyy-MM-dd"))
            widget.setEnabled(False)
            error.hide()
        for button in (self._submit, self._cancel):
            if button is not None:
                button.hide()

    def _summary(self, response: dict[str, Any]) -> str:
        if response.get("status") != "submitted":
            return str(response.get("status") or "cancelled")
        values = dict(response.get("values") or {})
        fields = {str(f.get("name")): f for f, _, _ in self._fields}
        order = [name for name in fields if name in values] + [name for name in values if name not in fields]
        parts = [
            f"{fields.get(name, {}).get('label') or name}: {_spoken(values[name], fields.get(name, {}).get('type'))}"
            for name in order
            if values[name] not in (None, "")
        ]
        return " · ".join(parts) or "sent"


class ConfirmCard(InteractiveComponent):
    """A yes/no question; responds {"status": "confirmed" | "cancelled", "confirmed": bool}."""

    tool_name = "confirm_action"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons: list[QPushButton] = []

    def _build(self, args: Mapping[str, Any], partial: bool) -> QWidget:
        body, layout = _column()
        danger = bool(args.get("danger"))
        heading = f"⚠ {args.get('title', '')}" if danger else args.get("title", "")
        title = _or_skeleton(args, "title", partial, heading, bold=True, size=2)
        if title is not None:
            layout.addWidget(title)
        message = _or_skeleton(args, "message", partial, args.get("message", ""))
        if message is not None:
            layout.addWidget(message)
        cancel = QPushButton(args.get("cancel_label") or "Cancel")
        cancel.setObjectName("cancel")
        confirm = QPushButton(args.get("confirm_label") or "Confirm")
        confirm.setObjectName("confirm")
        if danger:
            confirm.setStyleSheet(
                f"QPushButton#confirm {{ background: {_style.DANGER}; color: white; border-radius: 4px;"
                f" padding: 4px {2 * _style.GRID}px; }} QPushButton#confirm:disabled {{ background: palette(mid); }}"
            )
        cancel.clicked.connect(self.cancel)
        confirm.clicked.connect(self.confirm)
        self._buttons = [cancel, confirm]
        row = QHBoxLayout()
        row.setSpacing(_style.GRID)
        row.addWidget(self._waiting_banner(partial), 1)
        for button in self._buttons:
            button.setEnabled(not partial)
            row.addWidget(button)
        layout.addLayout(row)
        return body

    @Slot()
    def confirm(self) -> None:
        if self.state() == ComponentState.WAITING:
            self._answer({"status": "confirmed", "confirmed": True}, emit=True)

    @Slot()
    def cancel(self) -> None:
        if self.state() == ComponentState.WAITING:
            self._answer({"status": "cancelled", "confirmed": False}, emit=True)

    def _freeze(self, response: dict[str, Any]) -> None:
        for button in self._buttons:
            button.hide()

    def _summary(self, response: dict[str, Any]) -> str:
        key, fallback = (
            ("confirm_label", "confirmed") if response.get("confirmed") else ("cancel_label", "cancelled")
        )
        return str(self._args.get(key) or fallback)
