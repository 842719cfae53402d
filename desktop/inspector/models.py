"""Qt item models over memory rows and instruction versions: thin adapters, no SQL, no threads.

The table never writes to the store itself: an inline edit or a pin toggle is announced through
`edit_requested` / `pin_requested`, and the owning view runs the store call on a worker.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from memory.models import Instruction, Memory
from memory.recall import ScoreParts

Index = QModelIndex | QPersistentModelIndex

# column key -> header
HEADERS: dict[str, str] = {
    "content": "Content",
    "slot": "Slot",
    "importance": "Imp.",
    "confidence": "Conf.",
    "mode": "Mode",
    "created": "Created",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "pinned": "Pinned",
    "relevance": "Relevance",
    "recency": "Recency",
    "imp_part": "Imp. part",
    "score": "Score",
    "flag": "Why flagged",
    "outcome": "Outcome",
    "feedback": "Feedback",
}
TOOLTIPS: dict[str, str] = {
    "importance": "Importance (0–1) given when the fact was stored",
    "confidence": "How sure the extractor was (0–1)",
    "mode": "Update mode that wrote it: hot_path, background, manual, import",
    "valid_to": "When the fact stopped holding (superseded); 'now' while it is current",
    "relevance": "Dense + lexical ranks fused (RRF), normalised to 0–1",
    "recency": "Exponential decay with the configured half-life",
    "imp_part": "Importance as used by recall (pinned facts count 1.0)",
    "score": "Weighted sum of relevance, recency and importance",
}
LIST_COLUMNS = (
    "content",
    "slot",
    "importance",
    "confidence",
    "mode",
    "created",
    "valid_from",
    "valid_to",
    "pinned",
)
EPISODE_COLUMNS = ("content", "outcome", "feedback", "importance", "mode", "created", "valid_to")
SEARCH_COLUMNS = ("content", "slot", "relevance", "recency", "imp_part", "score", "pinned", "created")
REVIEW_COLUMNS = ("content", "flag", "mode", "created")
MAX_CELL_CHARS = 160
GREY = QColor("#8a8a8a")


def fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def short_dt(value: datetime | None) -> str:
    """Compact cell date: 'Nov 23 18:28' this year, '2025-11-23' before."""
    if value is None:
        return ""
    if value.year == datetime.now(value.tzinfo).year:
        return value.strftime("%b %d %H:%M")
    return value.strftime("%Y-%m-%d")


def one_line(text: str | None, limit: int = MAX_CELL_CHARS) -> str:
    """A cell's text: newlines folded and capped at `limit` columns (CJK characters count two).

    The view elides the rest to the column width; the full text lives in the tooltip and detail panel.
    """
    flat = " ".join((text or "").split())
    width = 0
    for i, ch in enumerate(flat):
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if width > limit - 1:
            return flat if i == len(flat) - 1 and width <= limit else flat[:i] + "…"
    return flat


@dataclass
class MemoryRow:
    memory: Memory
    parts: ScoreParts | None = None


class MemoryTableModel(QAbstractTableModel):
    """Memories (optionally with their recall score parts) as a table."""

    edit_requested = Signal(str, str)  # memory id, new content
    pin_requested = Signal(str, bool)  # memory id, pinned

    def __init__(self, columns: tuple[str, ...] = LIST_COLUMNS, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows: list[MemoryRow] = []

    # -- loading --------------------------------------------------------------------------------
    def set_rows(self, rows: list[MemoryRow], columns: tuple[str, ...] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if columns is not None:
            self._columns = columns
        self.endResetModel()

    def columns(self) -> tuple[str, ...]:
        return self._columns

    def column_of(self, key: str) -> int:
        return self._columns.index(key)

    def row_at(self, row: int) -> MemoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def memory_at(self, row: int) -> Memory | None:
        r = self.row_at(row)
        return r.memory if r else None

    def row_of(self, memory_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.memory.id == memory_id), -1)

    def update_memory(self, memory: Memory) -> None:
        """Replace one row's memory in place (after an edit or pin) and say which cells changed."""
        i = self.row_of(memory.id)
        if i < 0:
            return
        self._rows[i] = MemoryRow(memory, self._rows[i].parts)
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.CheckStateRole,
        ]
        self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1), roles)

    # -- Qt overrides ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns)
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            return TOOLTIPS.get(self._columns[section])
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal:
            return HEADERS[self._columns[section]]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        mem = self._rows[index.row()].memory
        key = self._columns[index.column()]
        if mem.current and key == "content":
            base |= Qt.ItemFlag.ItemIsEditable
        if mem.current and key == "pinned":
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        row = self._rows[index.row()]
        mem, key = row.memory, self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.EditRole:
            return mem.content if key == "content" else self._display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(mem)
        if role == Qt.ItemDataRole.CheckStateRole and key == "pinned":
            return Qt.CheckState.Checked if mem.pinned else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and not mem.current:
            return QBrush(GREY)
        if role == Qt.ItemDataRole.FontRole and not mem.current:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and key not in (
            "content",
            "slot",
            "flag",
            "mode",
            "outcome",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return mem.id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not self._valid(index) or not (self.flags(index) & Qt.ItemFlag.ItemIsEnabled):
            return False
        mem, key = self._rows[index.row()].memory, self._columns[index.column()]
        if role == Qt.ItemDataRole.EditRole and key == "content" and mem.current:
            text = str(value).strip()
            if not text or text == mem.content:
                return False
            self.edit_requested.emit(mem.id, text)
            return True
        if role == Qt.ItemDataRole.CheckStateRole and key == "pinned" and mem.current:
            pinned = Qt.CheckState(value) == Qt.CheckState.Checked
            self.pin_requested.emit(mem.id, pinned)
            return True
        return False

    # -- helpers --------------------------------------------------------------------------------
    def _valid(self, index: Index) -> bool:
        return (
            index.isValid()
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < len(self._columns)
        )

    @staticmethod
    def _display(row: MemoryRow, key: str) -> str:
        m, p = row.memory, row.parts
        values: dict[str, Any] = {
            "content": lambda: one_line(m.content),
            "slot": lambda: m.slot or "",
            "importance": lambda: f"{m.importance:.2f}",
            "confidence": lambda: f"{m.confidence:.2f}",
            "mode": lambda: m.write_mode,
            "created": lambda: short_dt(m.created_at),
            "valid_from": lambda: short_dt(m.valid_from),
            "valid_to": lambda: (
                short_dt(m.valid_to) if m.valid_to else ("deleted" if m.deleted_at else "now")
            ),
            "pinned": lambda: "",
            "relevance": lambda: f"{p.relevance:.3f}" if p else "",
            "recency": lambda: f"{p.recency:.3f}" if p else "",
            "imp_part": lambda: f"{p.importance:.3f}" if p else "",
            "score": lambda: f"{p.score:.3f}" if p else "",
            "flag": lambda: one_line(m.flagged),
            "outcome": lambda: one_line(m.outcome, 60),
            "feedback": lambda: f"{m.feedback_score:+.0f}" if m.feedback_score else "",
        }
        return values[key]()

    @staticmethod
    def _tooltip(m: Memory) -> str:
        window = f"valid {fmt_dt(m.valid_from)} → {fmt_dt(m.valid_to) or 'now'}"
        state = "" if m.current else "\n(superseded: no longer recalled)"
        return f"{m.content}\n\n{window}{state}"


class InstructionListModel(QAbstractListModel):
    """Versions of an agent's instructions, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._versions: list[Instruction] = []

    def set_versions(self, versions: list[Instruction]) -> None:
        self.beginResetModel()
        self._versions = sorted(versions, key=lambda v: v.version, reverse=True)
        self.endResetModel()

    def version_at(self, row: int) -> Instruction | None:
        return self._versions[row] if 0 <= row < len(self._versions) else None

    def previous_of(self, row: int) -> Instruction | None:
        """The version before the one at `row` (rows are newest first)."""
        return self.version_at(row + 1)

    def row_of(self, version: int) -> int:
        return next((i for i, v in enumerate(self._versions) if v.version == version), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._versions)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._versions) or index.column() != 0:
            return None
        v = self._versions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            active = "  ● active" if v.active else ""
            return f"v{v.version} · {v.author} · {fmt_dt(v.created_at)}{active}\n{one_line(v.reason, 70)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return v.reason or f"version {v.version}"
        if role == Qt.ItemDataRole.FontRole and v.active:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return v.version
        return None
