"""One inbox item: what the agent wants and why, its arguments, and buttons that follow the allow flags.

Edit shows one field per argument, typed like the original (a number stays a number, a flag a
checkbox, a list comma-separated, an ISO time a date-time picker that writes the same ISO shape
back), each with a reset. A malformed action still renders as raw JSON.
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QDateTime, Qt, Signal, Slot
from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_core.ambient import InboxItem
from ui_patterns.ambient.humantime import human_time, iso, parse_iso, stored

DATETIME_FORMAT = "ddd d MMM yyyy, HH:mm"


class ArgField(QWidget):
    """An editor for one argument that gives back a value of the original's type."""

    def __init__(self, value: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = value
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.editor: QWidget
        self.when = parse_iso(value)
        if isinstance(value, bool):
            self.editor = QCheckBox()
        elif self.when is not None:
            self.editor = QDateTimeEdit()
            self.editor.setDisplayFormat(DATETIME_FORMAT)
            self.editor.setCalendarPopup(True)
            self.editor.setToolTip(f"{value} (as the agent wrote it)")
        elif isinstance(value, str) and ("\n" in value or len(value) > 80):
            self.editor = QPlainTextEdit()
            self.editor.setFixedHeight(110)
        else:
            self.editor = QLineEdit()
            if isinstance(value, int):
                self.editor.setValidator(QIntValidator(self.editor))
            elif isinstance(value, float):
                self.editor.setValidator(QDoubleValidator(self.editor))
        reset = QPushButton("Reset")
        reset.setToolTip("Back to the agent's value")
        reset.clicked.connect(self.reset)
        lay.addWidget(self.editor, 1)
        lay.addWidget(reset, 0, Qt.AlignmentFlag.AlignTop)
        self.reset()

    @Slot()
    def reset(self) -> None:
        v = self.original
        if isinstance(self.editor, QDateTimeEdit) and self.when is not None:
            w = self.when.replace(tzinfo=None)  # shown as the agent wrote it, in its own zone
            self.editor.setDateTime(QDateTime(w.year, w.month, w.day, w.hour, w.minute, w.second))
        elif isinstance(self.editor, QCheckBox):
            self.editor.setChecked(bool(v))
        elif isinstance(self.editor, QPlainTextEdit):
            self.editor.setPlainText(str(v))
        elif isinstance(self.editor, QLineEdit):
            self.editor.setText(", ".join(map(str, v)) if isinstance(v, list) else str(v))

    def set_editable(self, on: bool) -> None:
        if isinstance(self.editor, QLineEdit | QPlainTextEdit | QDateTimeEdit):
            self.editor.setReadOnly(not on)
        else:
            self.editor.setEnabled(on)

    def value(self) -> object:
        v = self.original
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked()
        if isinstance(self.editor, QDateTimeEdit):
            return self._iso_like(self.editor.dateTime())
        text = self.editor.toPlainText() if isinstance(self.editor, QPlainTextEdit) else self.editor.text()  # type: ignore[attr-defined]
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return int(text) if text.strip().lstrip("-").isdigit() else text
        if isinstance(v, float):
            try:
                return float(text)
            except ValueError:
                return text
        if isinstance(v, list):
            return [p.strip() for p in text.split(",") if p.strip()]
        return text

    def _iso_like(self, dt: QDateTime) -> str:
        """The picked time in the original's ISO shape: same precision, same zone suffix."""
        text = str(self.original)
        sep = "T" if "T" in text else " "
        rest = text.partition(sep)[2]
        clock = rest[:8] if len(rest) >= 8 and rest[5:6] == ":" else rest[:5]
        suffix = rest[len(clock) :]
        fmt = "HH:mm:ss" if len(clock) == 8 else "HH:mm"
        return f"{dt.toString('yyyy-MM-dd')}{sep}{dt.toString(fmt)}{suffix}"


class ItemDetail(QWidget):
    answered = Signal(str, dict)  # item id, response

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: InboxItem | None = None
        self.fields: dict[str, ArgField] = {}
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.description = QLabel()
        self.description.setTextFormat(Qt.TextFormat.MarkdownText)
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.args_box = QWidget()
        self.form = QFormLayout(self.args_box)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.reply = QLineEdit()
        self.reply.setPlaceholderText(
            "Respond to the agent (a fact, a rule like “Always ignore …”, or feedback)"
        )
        self.always = QCheckBox("Always ignore this kind")
        self.accept_btn = QPushButton("Accept")
        self.edit_btn = QPushButton("Send edited")
        self.respond_btn = QPushButton("Respond")
        self.ignore_btn = QPushButton("Ignore")
        self.accept_btn.setDefault(True)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.accept_btn, self.edit_btn, self.respond_btn, self.ignore_btn):
            buttons.addWidget(b)
        buttons.addWidget(self.always)
        buttons.addStretch(1)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self.header)
        lay.addWidget(self.description)
        lay.addWidget(self.args_box)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.reply)
        outer.addLayout(buttons)
        outer.addWidget(self.error)
        self.accept_btn.clicked.connect(lambda: self._send({"type": "accept"}))
        self.edit_btn.clicked.connect(self._send_edit)
        self.respond_btn.clicked.connect(self._send_response)
        self.ignore_btn.clicked.connect(
            lambda: self._send({"type": "ignore", "always": self.always.isChecked()})
        )
        self.show_item(None)

    def show_item(self, item: InboxItem | None) -> None:
        if item is not None and self.item is not None and item.id == self.item.id:
            return  # the list refreshed; keep what the person is typing
        self.item = item
        self.show_error("")
        self.reply.clear()
        self.always.setChecked(False)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        buttons = {"accept": self.accept_btn, "edit": self.edit_btn, "respond": self.respond_btn,
                   "ignore": self.ignore_btn}  # fmt: skip
        if item is None:
            self.header.setText("<i>Select an item to see what the agent wants and why.</i>")
            self.description.setText("")
            for b in buttons.values():
                b.setVisible(False)
            self.reply.setVisible(False)
            self.always.setVisible(False)
            return
        asked = stored(item.created_at)
        self.header.setText(
            f"<b>{html.escape(item.title)}</b><br><small>{item.kind} · {item.agent} · asked {human_time(asked)}"
            f" · run {item.run_id[:8]}</small>"
        )
        self.header.setToolTip(f"asked {iso(asked)} · run {item.run_id}")
        self.description.setText(item.description)
        req = item.action_request
        args = req.get("args") if isinstance(req.get("args"), dict) else None
        if args is None:
            self.form.addRow("raw", QLabel(json.dumps(req, ensure_ascii=False)))
        else:
            self.form.addRow(QLabel(f"<b>{req.get('action', '?')}</b>"))
            for name, value in args.items():
                f = ArgField(value)
                f.set_editable(item.allow_edit)
                self.fields[name] = f
                self.form.addRow(name, f)
        for flag, b in buttons.items():
            b.setVisible(
                item.allows("response" if flag == "respond" else flag)
                and (flag != "edit" or args is not None)
            )
        self.reply.setVisible(item.allow_respond)
        self.always.setVisible(item.allow_ignore and item.kind == "notify")

    def _send(self, response: dict) -> None:
        if self.item is not None:
            self.answered.emit(self.item.id, response)

    @Slot()
    def _send_edit(self) -> None:
        self._send({"type": "edit", "args": {k: f.value() for k, f in self.fields.items()}})

    @Slot()
    def _send_response(self) -> None:
        text = self.reply.text().strip()
        if not text:
            self.show_error("Write a response first.")
            return
        self._send({"type": "response", "args": text})

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
