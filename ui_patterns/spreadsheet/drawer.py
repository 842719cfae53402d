"""The provenance drawer: everything behind one cell (state, reason, run, prompt, cost) one click away."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agent_core.sheet import Cell, CellState, Column
from ui_patterns.spreadsheet.style import ACCENTS, GLYPHS


def _text_box(height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setMaximumHeight(height)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return box


def _run_link(run_id: str, label: str, title: str) -> str:
    """A short, clickable id: the first 12 characters, the whole id in the tooltip."""
    short = label if len(label) <= 14 else f"{label[:12]}…"
    return (
        f"<a href='run:{escape(run_id, quote=True)}' title='{escape(title, quote=True)}'>{escape(short)}</a>"
    )


class ProvenanceDrawer(QFrame):
    """Shows one cell; `retry_requested(row, column)` asks the page to run it again."""

    retry_requested = Signal(int, str)
    open_run = Signal(str)  # the Run or Step link: show that run in the Traces page
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("provenanceDrawer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(300)
        self.row = -1
        self.column_name = ""
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.title.setWordWrap(True)
        close = QPushButton("Close")
        close.setFlat(True)
        close.setToolTip("Close the drawer")
        close.clicked.connect(self._close)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(close)
        self.state = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton("Retry this cell")
        self.retry.clicked.connect(self._retry)
        self.value = _text_box(120)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in (("run", "Run"), ("step", "Step"), ("model", "Model"), ("latency", "Latency"),
                           ("tokens", "Tokens"), ("cost", "Cost"), ("memory", "Memory used")):  # fmt: skip
            field = QLabel("—")
            field.setWordWrap(True)
            if key in ("run", "step"):
                field.setTextFormat(Qt.TextFormat.RichText)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                field.linkActivated.connect(self._on_link)
            else:
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = field
            form.addRow(label, field)
        self.prompt = _text_box(140)
        self.system = _text_box(110)
        body = QWidget()
        body.setObjectName("provenanceBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.state)
        layout.addWidget(self.error)
        layout.addWidget(self.retry)
        layout.addWidget(QLabel("Value"))
        layout.addWidget(self.value)
        layout.addLayout(form)
        layout.addWidget(QLabel("Prompt sent"))
        layout.addWidget(self.prompt)
        layout.addWidget(QLabel("System prompt"))
        layout.addWidget(self.system)
        layout.addStretch(1)
        # the details scroll inside the drawer, so it never makes the page taller than a small window
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        body.setAutoFillBackground(False)
        self.scroll.viewport().setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.addLayout(head)
        outer.addWidget(self.scroll, 1)

    def show_cell(self, row: int, column: Column, cell: Cell) -> None:
        self.row, self.column_name = row, column.name
        self.title.setText(f"{column.name} · row {row + 1}")
        colour = ACCENTS[cell.state]
        self.state.setText(f"<span style='color:{colour}; font-weight:600'>{GLYPHS[cell.state]} {cell.state}</span>"
                           f" <span style='color:#8a93a3'>({column.output_type})</span>")  # fmt: skip
        failed = cell.state in (CellState.ERROR, CellState.SKIPPED)
        self.error.setText(f"Reason: {cell.error}" if cell.error else "")
        self.error.setStyleSheet(f"color: {ACCENTS[CellState.ERROR]};")
        self.error.setVisible(bool(cell.error))
        self.retry.setVisible(
            column.kind == "agent" and cell.state not in (CellState.QUEUED, CellState.RUNNING)
        )
        self.retry.setText("Retry this cell" if failed else "Run this cell again")
        self.value.setPlainText(cell.text)
        prov = cell.provenance or {}
        tokens_in, tokens_out = int(prov.get("prompt_tokens") or 0), int(prov.get("completion_tokens") or 0)
        memory = prov.get("memory_used") or []
        run_id, step_id = str(prov.get("run_id") or ""), str(prov.get("step_id") or "")
        values = {
            "run": _run_link(run_id, run_id, "Open this run in Traces") if run_id else "—",
            "step": _run_link(run_id, step_id, f"Open the run in Traces (step {step_id})")
            if run_id and step_id
            else (step_id or "—"),
            "model": prov.get("model") or "—",
            "latency": f"{float(prov['latency_ms']):.0f} ms" if prov.get("latency_ms") is not None else "—",
            "tokens": f"{tokens_in} in + {tokens_out} out" if prov else "—",
            "cost": f"${float(prov.get('cost_usd') or 0):.5f}" if prov else "—",
            "memory": "\n".join(str(m) for m in memory) if memory else "none",
        }
        for key, text in values.items():
            self.fields[key].setText(str(text))
        self.fields["run"].setToolTip(f"Run {run_id} · click to open it in Traces" if run_id else "")
        self.fields["step"].setToolTip(f"Step {step_id} of run {run_id} · click to open" if step_id else "")
        if column.kind == "input":
            self.prompt.setPlainText("(input column: typed or imported, not generated)")
        else:
            self.prompt.setPlainText(str(prov.get("prompt") or f"(not run yet)\n{column.prompt}"))
        self.system.setPlainText(str(prov.get("system_prompt") or ""))
        self.show()

    @Slot(str)
    def _on_link(self, href: str) -> None:
        if href.startswith("run:"):
            self.open_run.emit(href.removeprefix("run:"))

    @Slot()
    def _retry(self) -> None:
        if self.row >= 0:
            self.retry_requested.emit(self.row, self.column_name)

    @Slot()
    def _close(self) -> None:
        self.hide()
        self.closed.emit()
