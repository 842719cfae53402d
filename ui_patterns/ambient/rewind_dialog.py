"""Rewind to a step and correct it: edit its output, or give an instruction for the steps after it.

The intro says what a fork keeps, what re-runs and what that cost before, so nobody forks blind.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.runtime.runs import Step


class RewindDialog(QDialog):
    """Correct a step: edit its output, or give the agent an instruction for the steps after it."""

    def __init__(self, step: Step, later: list[Step], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rewind to step {step.seq} and correct")
        self.step = step
        cost = sum(s.prompt_tokens + s.completion_tokens for s in later)
        intro = QLabel(
            f"Steps 1–{step.seq} are kept. {len(later)} later step(s) will re-run "
            f"({', '.join(f'{s.kind}:{s.name}' for s in later[:4]) or 'none'}; ~{cost} tokens before). "
            "The original run stays viewable."
        )
        intro.setWordWrap(True)
        self.edit_radio = QRadioButton("Edit this step's output")
        self.instr_radio = QRadioButton("Give an instruction")
        self.output = QPlainTextEdit(json.dumps(step.output, indent=2, ensure_ascii=False))
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText("e.g. Always ignore newsletters.")
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.instr_radio.setChecked(True)
        self.edit_radio.toggled.connect(self._sync)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Fork and re-run")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (
            intro,
            self.instr_radio,
            self.instruction,
            self.edit_radio,
            self.output,
            self.error,
            buttons,
        ):
            lay.addWidget(w)
        self.resize(560, 420)
        self._sync()

    @Slot()
    def _sync(self) -> None:
        self.output.setEnabled(self.edit_radio.isChecked())
        self.instruction.setEnabled(self.instr_radio.isChecked())

    def correction(self) -> tuple[object, str]:
        """(new output or None, instruction)."""
        if self.edit_radio.isChecked():
            return json.loads(self.output.toPlainText()), ""
        return None, self.instruction.text().strip()

    @Slot()
    def _accept(self) -> None:
        try:
            out, instr = self.correction()
        except json.JSONDecodeError as exc:
            self.error.setText(f"Not valid JSON: {exc.msg} (line {exc.lineno}).")
            return
        if out is None and not instr:
            self.error.setText("Write an instruction, or choose to edit the output.")
            return
        self.accept()
