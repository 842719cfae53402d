"""SheetModel: a thin Qt table adapter over a core `Sheet` that is being filled on worker threads.

Sheet callbacks arrive on executor threads; they only note which cells changed and wake the GUI
thread through a queued signal. A 40 ms single-shot timer then coalesces the burst into one
`dataChanged` range per column and one header update, so 10,000 rows filling stay smooth. Per
column state counts and token totals are kept incrementally from re-read snapshots, never
from event payloads, so out-of-order callbacks from different threads cannot skew them.
"""

from __future__ import annotations

import threading
from collections import Counter
from itertools import islice
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView

from agent_core.sheet import Cell, CellState, Column, Sheet
from ui_patterns.spreadsheet.style import ACCENTS, GLYPHS, glyph_icon, is_dark, tint

Index = QModelIndex | QPersistentModelIndex
_ROLE = Qt.ItemDataRole
STATE_ROLE = int(_ROLE.UserRole) + 1
CELL_ROLE = int(_ROLE.UserRole) + 2
_CHANGED_ROLES = [int(_ROLE.DisplayRole), int(_ROLE.BackgroundRole), int(_ROLE.ForegroundRole),
                  int(_ROLE.DecorationRole), int(_ROLE.ToolTipRole), STATE_ROLE, CELL_ROLE]  # fmt: skip
CELLWISE_UPDATES = 64  # up to this many changed cells per flush are signalled one by one
FLUSH_BATCH = 500  # at most this many cells per event-loop pass (~10 ms), the rest right after
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_AGENT_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_INPUT_FLAGS = _AGENT_FLAGS | Qt.ItemFlag.ItemIsEditable


def _tokens(cell: Cell) -> int:
    prov = cell.provenance or {}
    return int(prov.get("prompt_tokens", 0) or 0) + int(prov.get("completion_tokens", 0) or 0)


class SheetModel(QAbstractTableModel):
    """Rows × columns of a Sheet; agent cells carry state tints, glyphs and per-column progress."""

    flushed = Signal(int)  # cells refreshed by one coalesced update
    progress_changed = Signal()  # header counts changed: see `show_in`
    _wake = Signal()

    def __init__(
        self, sheet: Sheet | None = None, parent: QObject | None = None, *, coalesce_ms: int = 40
    ) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: set[tuple[int, str]] = set()
        self._layout_pending = False
        self._woken = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._flush)
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self._sheet: Sheet | None = None
        self._unsubscribe: list[Any] = []
        self._columns: tuple[Column, ...] = ()
        self._position: dict[str, int] = {}
        self._rows = 0
        self._states: dict[str, list[CellState]] = {}
        self._cell_tokens: dict[str, list[int]] = {}
        self._counts: dict[str, Counter[CellState]] = {}
        self._dark = is_dark()
        self.set_sheet(sheet)

    def show_in(self, view: QTableView) -> None:
        """Set this model on `view`, with live header counts that repaint only the header.

        Progress is not signalled as `headerDataChanged`: a view answers that by laying out again
        and repainting its whole viewport (30–60 ms with agents running), several times a second.
        """
        view.setModel(self)
        self.progress_changed.connect(view.horizontalHeader().viewport().update)

    # -- the sheet ------------------------------------------------------------------------------

    @property
    def sheet(self) -> Sheet | None:
        return self._sheet

    def set_sheet(self, sheet: Sheet | None) -> None:
        """Show another sheet (or none); the old one is no longer observed."""
        self.beginResetModel()
        self._detach()
        self._sheet = sheet
        if sheet is not None:
            self._unsubscribe = [
                sheet.subscribe(lambda row, col, _cell, s=sheet: self._note(s, (row, col))),
                sheet.subscribe_layout(lambda _event, _where, s=sheet: self._note(s, None)),
            ]
        self._snapshot()
        self.endResetModel()

    def close(self) -> None:
        """Stop observing (call before the sheet's executor is dropped or the view closes)."""
        self._detach()
        self._timer.stop()

    def _detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        with self._lock:
            self._pending.clear()
            self._layout_pending = False

    def _snapshot(self) -> None:
        sheet = self._sheet
        self._columns = sheet.columns if sheet else ()
        self._position = {column.name: i for i, column in enumerate(self._columns)}
        self._rows = len(sheet) if sheet else 0
        self._states, self._cell_tokens, self._counts = {}, {}, {}
        for column in self._columns:
            if column.kind == "agent":
                self._track_column(column.name, 0)

    def _track_column(self, name: str, first_row: int) -> None:
        assert self._sheet is not None
        states = self._states.setdefault(name, [])
        tokens = self._cell_tokens.setdefault(name, [])
        counts = self._counts.setdefault(name, Counter())
        del states[first_row:], tokens[first_row:]
        for row in range(first_row, self._rows):
            cell = self._sheet.cell(row, name)
            states.append(cell.state)
            tokens.append(_tokens(cell))
            counts[cell.state] += 1

    # -- worker threads → GUI thread ----------------------------------------------------------------

    def _note(self, sheet: Sheet, key: tuple[int, str] | None) -> None:
        """Called on any thread: remember what changed and wake the GUI thread once per burst."""
        with self._lock:
            if sheet is not self._sheet:
                return
            if key is None:
                self._layout_pending = True
            else:
                self._pending.add(key)
            if self._woken:
                return
            self._woken = True
        self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            if len(self._pending) > FLUSH_BATCH:  # a run queuing thousands of cells: spread it
                keys = set(islice(self._pending, FLUSH_BATCH))
                self._pending -= keys
                QTimer.singleShot(0, self, self._flush)
            else:
                keys, self._pending = self._pending, set()
                self._woken = False
            layout, self._layout_pending = self._layout_pending, False
        if self._sheet is None:
            return
        if layout:
            self._apply_layout()
        spans: dict[int, tuple[int, int]] = {}
        cells: list[tuple[int, int]] = []
        for row, name in keys:
            position = self._position.get(name)
            if position is None or row >= self._rows:
                continue
            if name in self._states:
                self._refresh_counts(row, name)
            low, high = spans.get(position, (row, row))
            spans[position] = (min(low, row), max(high, row))
            cells.append((row, position))
        if len(cells) <= CELLWISE_UPDATES:
            # a view repaints just the cell for a one-cell change, but its whole viewport for a range
            for row, position in cells:
                index = self.index(row, position)
                self.dataChanged.emit(index, index, _CHANGED_ROLES)
        else:
            for position, (low, high) in spans.items():
                self.dataChanged.emit(self.index(low, position), self.index(high, position), _CHANGED_ROLES)
        if any(self._columns[p].kind == "agent" for p in spans):
            self.progress_changed.emit()
        self.flushed.emit(len(keys))

    def _refresh_counts(self, row: int, name: str) -> None:
        assert self._sheet is not None
        cell = self._sheet.cell(row, name)
        states, tokens, counts = self._states[name], self._cell_tokens[name], self._counts[name]
        counts[states[row]] -= 1
        counts[cell.state] += 1
        states[row] = cell.state
        tokens[row] = _tokens(cell)

    def _apply_layout(self) -> None:
        """Rows and columns are only ever appended; column edits change the header and prompt."""
        assert self._sheet is not None
        columns = self._sheet.columns
        if len(columns) > len(self._columns):
            self.beginInsertColumns(QModelIndex(), len(self._columns), len(columns) - 1)
            self._columns = columns
            self._position = {column.name: i for i, column in enumerate(columns)}
            for column in columns:
                if column.kind == "agent" and column.name not in self._states:
                    self._track_column(column.name, 0)
            self.endInsertColumns()
        elif columns != self._columns:
            self._columns = columns
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(columns) - 1)
        rows = len(self._sheet)
        if rows > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            first, self._rows = self._rows, rows
            for name in self._states:
                self._track_column(name, first)
            self.endInsertRows()

    # -- queries ------------------------------------------------------------------------------------

    def column_at(self, section: int) -> Column:
        return self._columns[section]

    def section_of(self, name: str) -> int:
        return self._position[name]

    def progress(self, name: str) -> dict[CellState, int]:
        """How many cells of an agent column are in each state (as of the last coalesced update)."""
        return {state: count for state, count in self._counts.get(name, Counter()).items() if count}

    def tokens(self, name: str) -> int:
        """Tokens behind the column's current values."""
        return sum(self._cell_tokens.get(name, ()))

    def cell(self, index: Index) -> Cell | None:
        if not self._valid(index) or self._sheet is None:
            return None
        return self._sheet.cell(index.row(), self._columns[index.column()].name)

    def _valid(self, index: Index) -> bool:
        return index.isValid() and 0 <= index.row() < self._rows and 0 <= index.column() < len(self._columns)

    # -- Qt overrides ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        cell = self.cell(index)
        return None if cell is None else self._value(cell, self._columns[index.column()], role)

    def multiData(self, index: Index, roleDataSpan: Any) -> None:  # noqa: N803 - Qt's signature
        """All roles of a painted cell in one call: the delegate asks for seven, and each Python
        call from a repaint is one more wait for the GIL while agents run."""
        cell = self.cell(index)
        if cell is None:
            for role_data in roleDataSpan:
                role_data.clearData()
            return
        column = self._columns[index.column()]
        for role_data in roleDataSpan:
            value = self._value(cell, column, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def _value(self, cell: Cell, column: Column, role: int) -> Any:
        agent = column.kind == "agent"
        if role == _ROLE.DisplayRole:
            if agent and cell.value is None:
                if cell.state in (CellState.ERROR, CellState.SKIPPED):
                    return cell.error or str(cell.state)
                return {CellState.QUEUED: "queued", CellState.RUNNING: "running…"}.get(cell.state, "")
            return " ".join(cell.text.split())
        if role == _ROLE.EditRole:
            return cell.text
        if role == STATE_ROLE:
            return cell.state
        if role == CELL_ROLE:
            return cell
        if not agent:
            return (cell.text or None) if role == _ROLE.ToolTipRole else None  # narrow inputs elide
        if role == _ROLE.DecorationRole:
            return glyph_icon(cell.state) if cell.state != CellState.EMPTY else None
        if role == _ROLE.BackgroundRole:
            return tint(cell.state, self._dark)
        if role == _ROLE.ForegroundRole:
            if cell.state in (CellState.ERROR, CellState.SKIPPED) and cell.value is None:
                return QColor(ACCENTS[cell.state])
            if cell.state in (CellState.STALE, CellState.QUEUED, CellState.RUNNING):
                return QColor(ACCENTS[CellState.EMPTY])
            return None
        if role == _ROLE.ToolTipRole:
            text = cell.text if len(cell.text) < 600 else cell.text[:600] + "…"
            reason = f"\n{cell.error}" if cell.error else ""
            return f"{GLYPHS[cell.state]} {cell.state}{reason}" + (f"\n\n{text}" if text else "")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == _ROLE.DisplayRole and 0 <= section < self._rows else None
        if not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == _ROLE.DisplayRole:
            if column.kind == "input":
                return f"{column.name}\ninput"
            counts = self._counts.get(column.name, Counter())
            parts = [column.output_type, f"{counts[CellState.DONE]}/{self._rows} ✓"]
            busy = counts[CellState.RUNNING] + counts[CellState.QUEUED]
            if busy:
                parts.append(f"{busy} ⟳")
            if counts[CellState.ERROR]:
                parts.append(f"{counts[CellState.ERROR]} !")
            parts.append(f"{self.tokens(column.name):,} tok")
            return f"✦ {column.name}\n" + " · ".join(parts)
        if role == _ROLE.ToolTipRole:
            if column.kind == "input":
                return f"{column.name}: input column (editable)"
            options = f"\nOptions: {', '.join(column.options)}" if column.options else ""
            return f"{column.name} ({column.output_type})\nPrompt: {column.prompt}{options}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not self._valid(index):
            return _NO_FLAGS
        return _INPUT_FLAGS if self._columns[index.column()].kind == "input" else _AGENT_FLAGS

    def setData(self, index: Index, value: Any, role: int = _ROLE.EditRole) -> bool:
        """Editing an input marks exactly the dependent agent cells of that row stale."""
        if role != _ROLE.EditRole or not self._valid(index) or self._sheet is None:
            return False
        column = self._columns[index.column()]
        if column.kind != "input":
            return False
        self._sheet.set_input(index.row(), column.name, str(value))
        return True
