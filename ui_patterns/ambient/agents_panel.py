"""Agents with live status and pause/resume, and the "quieter over time" chart."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHeaderView, QPushButton, QTableWidget, QTableWidgetItem, QWidget

from agent_core.ambient import AmbientAgent

STATUS_COLOUR = {"idle": "#5f6368", "running": "#1a73e8", "waiting": "#e37400", "paused": "#9334e6",
                 "error": "#d93025"}  # fmt: skip


class AgentsPanel(QTableWidget):
    pause_toggled = Signal(str, bool)  # agent, pause?

    def __init__(self, agents: list[AmbientAgent], parent: QWidget | None = None) -> None:
        super().__init__(len(agents), 5, parent)
        self.setHorizontalHeaderLabels(["Agent", "Memory", "Status", "Unread", ""])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.rows = {a.name: i for i, a in enumerate(agents)}
        self.buttons: dict[str, QPushButton] = {}
        for a, i in ((a, self.rows[a.name]) for a in agents):
            name = QTableWidgetItem(a.name)
            name.setToolTip(f"{a.kind} agent · memory profile {a.profile}")
            self.setItem(i, 0, name)
            self.setItem(i, 1, QTableWidgetItem(a.memory_mode))
            self.setItem(i, 3, QTableWidgetItem("0"))
            b = QPushButton("Pause")
            b.setCheckable(True)
            b.toggled.connect(lambda on, name=a.name: self._toggled(name, on))
            self.buttons[a.name] = b
            self.setCellWidget(i, 4, b)
            self.set_status(a.name, "idle")
        head = self.horizontalHeader()
        for col in (0, 1, 3, 4):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setFixedHeight(
            self.horizontalHeader().height() + sum(self.rowHeight(i) for i in range(len(agents))) + 4
        )

    def _toggled(self, agent: str, on: bool) -> None:
        self.buttons[agent].setText("Resume" if on else "Pause")
        self.pause_toggled.emit(agent, on)

    def set_status(self, agent: str, status: str) -> None:
        row = self.rows.get(agent)
        if row is None:
            return
        cell = QTableWidgetItem(f"● {status}")
        cell.setForeground(QColor(STATUS_COLOUR.get(status, "#5f6368")))
        self.setItem(row, 2, cell)

    def status_text(self, agent: str) -> str:
        item = self.item(self.rows[agent], 2)
        return item.text().removeprefix("● ") if item else ""

    def set_unread(self, counts: dict[str, int]) -> None:
        for name, row in self.rows.items():
            self.setItem(row, 3, QTableWidgetItem(str(counts.get(name, 0))))


class QuietChart(QWidget):
    """Inbox items per 20 events, oldest window first: the bars shrink as the agent learns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.windows: list[int] = []
        self.agent = ""
        self.setMinimumHeight(120)
        self.setToolTip("Inbox items raised per 20 events; bars get shorter as rules and facts are learned.")

    def set_windows(self, agent: str, windows: list[int]) -> None:
        self.agent, self.windows = agent, list(windows)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(6, 38, -6, -16)
        pal = self.palette()
        p.setPen(pal.color(pal.ColorRole.WindowText))
        first, last = (self.windows[0], self.windows[-1]) if self.windows else (0, 0)
        p.drawText(6, 14, f"Quieter over time — {self.agent}: inbox items per 20 events")
        p.drawText(6, 30, f"first window {first} → latest {last}" if self.windows else "no events yet")
        if not self.windows:
            return
        n, top = len(self.windows[-24:]), max(20, max(self.windows))
        bw = r.width() / max(n, 1)
        for i, v in enumerate(self.windows[-24:]):
            h = r.height() * v / top
            p.fillRect(QRectF(r.left() + i * bw + 2, r.bottom() - h, bw - 4, h), QColor("#1a73e8"))
            p.drawText(
                QRectF(r.left() + i * bw, r.bottom() + 1, bw, 14), Qt.AlignmentFlag.AlignCenter, str(v)
            )
        p.end()
