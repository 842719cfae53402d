"""The agent inbox list: kind icon, priority, age, unread in bold, filter by agent, unread badge."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListView, QVBoxLayout, QWidget

from agent_core.ambient import InboxItem

KIND_STYLE = {"notify": ("#1a73e8", "N"), "question": ("#e37400", "?"), "review": ("#188038", "R")}
PRIORITY = {0: "low", 1: "normal", 2: "high", 3: "urgent"}
ItemRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def kind_icon(kind: str) -> QIcon:
    colour, letter = KIND_STYLE.get(kind, ("#5f6368", "·"))
    pm = QPixmap(18, 18)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(colour))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, 16, 16)
    p.setPen(QColor("white"))
    f = p.font()
    f.setBold(True)
    f.setPixelSize(11)
    p.setFont(f)
    p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, letter)
    p.end()
    return QIcon(pm)


def age(created: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    s = max(0, int((now - created).total_seconds()))
    return (
        f"{s}s"
        if s < 60
        else f"{s // 60}m"
        if s < 3600
        else f"{s // 3600}h"
        if s < 86400
        else f"{s // 86400}d"
    )


class InboxModel(QAbstractListModel):
    """Pending items, most urgent then oldest first; `set_items` swaps in a fresh snapshot."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[InboxItem] = []
        self._icons = {k: kind_icon(k) for k in KIND_STYLE}
        self.now: datetime | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        it = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{it.title}\n{it.agent} · {PRIORITY.get(it.priority, it.priority)} · {age(it.created_at, self.now)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(it.kind)
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(not it.read)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{it.kind} from {it.agent}, priority {it.priority}"
        if role == ItemRole:
            return it
        return None

    def set_items(self, items: list[InboxItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> InboxItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, item_id: str) -> int:
        return next((i for i, it in enumerate(self._items) if it.id == item_id), -1)


class InboxPanel(QWidget):
    selected = Signal(object)  # InboxItem | None
    filter_changed = Signal(str)  # agent or ""

    def __init__(self, agents: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = InboxModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSpacing(1)
        self.view.setUniformItemSizes(True)
        self.filter = QComboBox()
        self.filter.addItem("All agents", "")
        for a in agents:
            self.filter.addItem(a, a)
        self.badge = QLabel("0")
        self.badge.setObjectName("unreadBadge")
        self.badge.setStyleSheet(
            "QLabel#unreadBadge { background: #d93025; color: white; border-radius: 9px; padding: 1px 7px;"
            " font-weight: bold; }"
        )
        self.empty = QLabel("Inbox zero — your agents will put things here when they need you.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid); padding: 12px;")
        self.more = QLabel()
        self.more.setProperty("muted", True)
        self.more.hide()
        head = QHBoxLayout()
        title = QLabel("<b>Agent inbox</b>")
        head.addWidget(title)
        head.addWidget(self.badge)
        head.addStretch(1)
        head.addWidget(self.filter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.more)
        lay.addWidget(self.empty)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.filter.currentIndexChanged.connect(self._on_filter)

    @property
    def agent_filter(self) -> str:
        return str(self.filter.currentData() or "")

    def set_items(self, items: list[InboxItem], unread: int, pending: int | None = None) -> None:
        """Show `items` (the most urgent first); `pending` is how many there are in all."""
        current = self.model.item(self.view.currentIndex().row())
        self.model.set_items(items)
        self.badge.setText(str(unread))
        self.badge.setVisible(unread > 0)
        self.empty.setVisible(not items)
        hidden = (pending or 0) - len(items)
        self.more.setText(
            f"Showing the {len(items)} most urgent of {pending} pending items; answer some to see the rest."
        )
        self.more.setVisible(hidden > 0)
        if current is not None and (row := self.model.row_of(current.id)) >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, cur: QModelIndex, _prev: QModelIndex) -> None:
        self.selected.emit(self.model.item(cur.row()) if cur.isValid() else None)

    @Slot(int)
    def _on_filter(self, _i: int) -> None:
        self.filter_changed.emit(self.agent_filter)
