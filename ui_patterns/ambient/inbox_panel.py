"""The agent inbox list: kind icon, priority, age, unread in bold, filter by agent, unread badge."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListView, QStackedWidget, QVBoxLayout, QWidget

from agent_core.ambient import InboxItem
from ui_patterns.ambient.humantime import human_time, iso, relative, stored

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


class InboxModel(QAbstractListModel):
    """Pending items, most urgent then oldest first; `set_items` swaps in a fresh snapshot."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[InboxItem] = []
        self._icons = {k: kind_icon(k) for k in KIND_STYLE}
        self.now: datetime | None = None
        self._row_height = 2 * QFontMetrics(QFont()).lineSpacing() + 8

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        it = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = relative(stored(it.created_at), self.now)
            return f"{it.title}\n{it.agent} · {PRIORITY.get(it.priority, it.priority)} · {when}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(it.kind)
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(not it.read)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            at = stored(it.created_at)
            prio = PRIORITY.get(it.priority, it.priority)
            return f"{it.title}\n{it.kind} from {it.agent}, {prio} priority, {human_time(at, self.now)} ({iso(at)})"
        if role == Qt.ItemDataRole.SizeHintRole:  # as wide as the view: the title elides, no scrolling
            return QSize(1, self._row_height)
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

    def remove(self, item_id: str) -> int:
        """Drop an answered item at once (the next refresh agrees); returns its old row or -1."""
        row = self.row_of(item_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            self.endRemoveRows()
        return row


class InboxPanel(QWidget):
    selected = Signal(object)  # InboxItem | None
    filter_changed = Signal(str)  # agent or ""

    def __init__(self, agents: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = InboxModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setWordWrap(False)  # two lines a row, the title elided: more rows fit at 1024×640
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setProperty("role", "empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setContentsMargins(24, 24, 24, 24)
        self.more = QLabel()
        self.more.setProperty("role", "hint")
        self.more.setWordWrap(True)
        self.more.hide()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        head = QHBoxLayout()
        title = QLabel("<b>Agent inbox</b>")
        head.addWidget(title)
        head.addWidget(self.badge)
        head.addStretch(1)
        head.addWidget(self.filter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.more)
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
        self.stack.setCurrentWidget(self.empty if not items else self.view)
        who = f"from {self.agent_filter}" if self.agent_filter else ""
        self.empty.setText(
            "<b>Inbox zero</b><br>Nothing needs you right now. Agents put things here when "
            "they need an answer or an approval."
            if not who
            else f"<b>Nothing {who}</b><br>Choose “All agents” to see the rest of the inbox."
        )
        hidden = (pending or 0) - len(items)
        self.more.setText(
            f"Showing the {len(items)} most urgent of {pending} pending items; answer some to see the rest."
        )
        self.more.setVisible(hidden > 0)
        if current is not None and (row := self.model.row_of(current.id)) >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def select_id(self, item_id: str) -> bool:
        row = self.model.row_of(item_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
        return row >= 0

    def remove_and_advance(self, item_id: str) -> InboxItem | None:
        """Drop an answered item and select the one that took its place (or the new last)."""
        row = self.model.remove(item_id)
        n = self.model.rowCount()
        if row < 0 or n == 0:
            if n == 0:
                self.stack.setCurrentWidget(self.empty)
            return None
        nxt = self.model.index(min(row, n - 1))
        self.view.setCurrentIndex(nxt)
        self.view.scrollTo(nxt)
        return self.model.item(nxt.row())

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, cur: QModelIndex, _prev: QModelIndex) -> None:
        self.selected.emit(self.model.item(cur.row()) if cur.isValid() else None)

    @Slot(int)
    def _on_filter(self, _i: int) -> None:
        self.filter_changed.emit(self.agent_filter)
