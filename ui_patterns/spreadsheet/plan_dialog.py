"""'New from prompt…': describe what you want, review and edit the planned columns, then add them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.sheet import Column, SheetSpecError, parse_spec
from ui_patterns.common.workers import run_call

PlanFn = Callable[[str, list[str]], list[Column]]
_HEADERS = ("Name", "Type", "Prompt", "Options")


class PlanDialog(QDialog):
    """A one-turn chat with the planner; planned columns land in an editable, checkable table."""

    planned = Signal(int)  # number of columns proposed (tests wait on it)

    def __init__(self, plan: PlanFn, existing: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New columns from a request")
        self.resize(760, 460)
        self._plan = plan
        self._existing = [column.name for column in existing]
        self._columns: list[Column] = []
        self.transcript = QTextBrowser()
        self.transcript.setMaximumHeight(110)
        self._entries: list[str] = ["<i>Describe what you want for each row, e.g. “Email each customer "
                                    "about the new pricing”. Planned columns appear below for review.</i>"]  # fmt: skip
        self._pending = False  # the last entry is the "Planning…" line, replaced by the answer
        self._render()
        self.request = QLineEdit()
        self.request.setPlaceholderText("What should the agent do for each row?")
        self.request.returnPressed.connect(self.ask)
        self.send = QPushButton("Plan")
        self.send.clicked.connect(self.ask)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.request, 1)
        ask_row.addWidget(self.send)
        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(
            "Add checked columns", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.add_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.transcript)
        layout.addLayout(ask_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    @Slot()
    def ask(self) -> None:
        request = self.request.text().strip()
        if not request:
            return
        self.send.setEnabled(False)
        self._entries.append(f"<p><b>You:</b> {escape(request)}</p>")
        self._say("<p><i>Planning…</i></p>", pending=True)
        names = list(self._existing)
        run_call(lambda: self._plan(request, names), self._show_plan, self._show_error)

    def _show_plan(self, columns: object) -> None:
        planned = list(columns) if isinstance(columns, list) else []
        self.send.setEnabled(True)
        if planned:
            names = escape(", ".join(c.name for c in planned))
            self._say(f"<p><b>Agent:</b> {len(planned)} column{'s' if len(planned) != 1 else ''}: {names}. "
                      "Edit, uncheck, then add.</p>")  # fmt: skip
        else:
            self._say("<p><b>Agent:</b> no columns planned; try describing the task differently.</p>")
        self.table.setRowCount(len(planned))
        for row, column in enumerate(planned):
            values = (column.name, column.output_type, column.prompt, ", ".join(column.options))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked)
                self.table.setItem(row, col, item)
        self.table.resizeColumnToContents(0)
        self.add_button.setEnabled(bool(planned))
        self.planned.emit(len(planned))

    def _show_error(self, message: str) -> None:
        self.send.setEnabled(True)
        self._say(f"<p style='color:#c0392b'><b>Planning failed:</b> {escape(message)}</p>")
        self.planned.emit(0)

    def _say(self, html: str, *, pending: bool = False) -> None:
        """Add a transcript entry; an answer replaces the "Planning…" line it answers."""
        if self._pending:
            self._entries.pop()
        self._entries.append(html)
        self._pending = pending
        self._render()

    def _render(self) -> None:
        self.transcript.setHtml("".join(self._entries))
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _checked_spec(self) -> list[dict[str, object]]:
        spec: list[dict[str, object]] = []
        for row in range(self.table.rowCount()):
            first = self.table.item(row, 0)
            if first is None or first.checkState() != Qt.CheckState.Checked:
                continue
            cells = [self.table.item(row, col) for col in range(len(_HEADERS))]
            name, output_type, prompt, options = (item.text() if item else "" for item in cells)
            spec.append({"name": name, "type": output_type, "prompt": prompt,
                         "options": [o.strip() for o in options.split(",") if o.strip()]})  # fmt: skip
        return spec

    def accept(self) -> None:
        """Validate the edited table as a spec against the sheet; stay open with the reason if bad."""
        try:
            self._columns = parse_spec(self._checked_spec(), input_columns=self._existing)
        except SheetSpecError as exc:
            self.status.setText(f"<span style='color:#c0392b'>{exc}</span>")
            return
        super().accept()

    def columns(self) -> list[Column]:
        return list(self._columns)
