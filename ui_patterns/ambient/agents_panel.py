"""Agents with live status, unread counts and pause/resume."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from agent_core.ambient import AmbientAgent
from ui_patterns.ambient.style import status_colour


class AgentsPanel(QTableWidget):
    pause_toggled = Signal(str, bool)  # agent, pause?

    def __init__(self, agents: list[AmbientAgent], parent: QWidget | None = None) -> None:
        super().__init__(len(agents), 4, parent)
        self.setHorizontalHeaderLabels(["Agent", "Status", "Unread", ""])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.rows = {a.name: i for i, a in enumerate(agents)}
        self.buttons: dict[str, QPushButton] = {}
        for a, i in ((a, self.rows[a.name]) for a in agents):
            name = QTableWidgetItem(a.name)
            name.setToolTip(
                f"{a.kind} agent · memory {a.memory_mode.replace('_', ' ')} · profile {a.profile}"
            )
            self.setItem(i, 0, name)
            self.setItem(i, 2, QTableWidgetItem("0"))
            b = QPushButton("Pause")
            b.setCheckable(True)
            b.setToolTip(f"Pause {a.name} at its next step; events keep arriving and wait for it")
            b.toggled.connect(lambda on, name=a.name: self._toggled(name, on))
            self.buttons[a.name] = b
            self.setCellWidget(i, 3, b)
            self.set_status(a.name, "idle")
        head = self.horizontalHeader()
        for col in (0, 2, 3):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.resizeRowsToContents()  # rows as tall as their Pause buttons

    def _toggled(self, agent: str, on: bool) -> None:
        self.buttons[agent].setText("Resume" if on else "Pause")
        self.pause_toggled.emit(agent, on)

    def set_status(self, agent: str, status: str) -> None:
        row = self.rows.get(agent)
        if row is None:
            return
        cell = QTableWidgetItem(f"● {status}")
        cell.setForeground(status_colour(status))
        self.setItem(row, 1, cell)
        button = self.buttons.get(agent)
        if button is not None and status == "paused" and not button.isChecked():
            button.blockSignals(True)  # paused from elsewhere (the CLI, a demo): show Resume
            button.setChecked(True)
            button.setText("Resume")
            button.blockSignals(False)

    def status_text(self, agent: str) -> str:
        item = self.item(self.rows[agent], 1)
        return item.text().removeprefix("● ") if item else ""

    def set_unread(self, counts: dict[str, int]) -> None:
        for name, row in self.rows.items():
            self.setItem(row, 2, QTableWidgetItem(str(counts.get(name, 0))))
