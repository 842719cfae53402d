"""The base of every pattern page the shell hosts."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui_patterns.common.context import LabContext


class PatternPage(QWidget):
    """A page: constructed with the shared LabContext; `shutdown()` stops its workers."""

    title = "Pattern"
    subtitle = ""

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def shutdown(self) -> None:
        """Stop workers and disconnect; called when the window closes."""
