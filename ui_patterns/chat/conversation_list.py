"""The conversation list: a thin Qt list model over `Conversations` (newest first), inline rename."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from agent_core.chat.conversations import Conversation, Conversations

Index = QModelIndex | QPersistentModelIndex


class ConversationListModel(QAbstractListModel):
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, conversations: Conversations, profile: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conversations = conversations
        self.profile = profile
        self._rows: list[Conversation] = []
        self.refresh()

    def refresh(self, profile: str | None = None) -> None:
        """Re-read from the store (cheap: one indexed query); ordering is the store's newest-first."""
        self.beginResetModel()
        self.profile = profile or self.profile
        self._rows = self.conversations.list(self.profile)
        self.endResetModel()

    def set_rows(self, rows: list[Conversation]) -> None:
        """Take rows read on a worker thread (the GUI thread then only resets the view)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return c.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{c.title}\nupdated {c.updated_at:%Y-%m-%d %H:%M}"
        if role == self.IdRole:
            return c.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not str(value).strip():
            return False
        c = self._rows[index.row()]
        self.conversations.rename(c.id, str(value).strip())
        c.title = str(value).strip()[:200]
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def row_of(self, conversation_id: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == conversation_id), -1)

    def id_at(self, row: int) -> str | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def titles(self) -> list[str]:
        return [c.title for c in self._rows]
