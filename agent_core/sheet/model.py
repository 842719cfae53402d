"""Sheet data model: columns, immutable cell snapshots and rows, safe to update from worker threads.

Cells are frozen snapshots replaced under one lock, so a reader (later a Qt table model on the GUI
thread) never sees half an update. Observers are called after the lock is released, from whatever
thread made the change, so a slow or re-entrant callback cannot deadlock the executor.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from agent_core.sheet.errors import SheetSpecError
from agent_core.sheet.graph import DependencyGraph

log = logging.getLogger(__name__)

OUTPUT_TYPES: tuple[str, ...] = ("text", "number", "yes/no", "category", "json")
ColumnKind = Literal["input", "agent"]
CellKey = tuple[int, str]


class CellState(StrEnum):
    EMPTY = "empty"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    STALE = "stale"
    ERROR = "error"
    SKIPPED = "skipped"


BUSY: frozenset[CellState] = frozenset({CellState.QUEUED, CellState.RUNNING})
# States whose value no longer matches its inputs once an input changes; empty/queued stay as they are.
_INVALIDATED_BY_EDIT = frozenset({CellState.DONE, CellState.ERROR, CellState.SKIPPED})


@dataclass(frozen=True, slots=True)
class Column:
    """An input column holds data; an agent column is a prompt with `{Name}` references."""

    name: str
    kind: ColumnKind = "input"
    prompt: str = ""
    output_type: str = "text"
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "options", tuple(self.options))
        if not self.name:
            raise SheetSpecError("a column needs a non-empty name")
        if self.kind not in ("input", "agent"):
            raise SheetSpecError(f"column '{self.name}': kind must be 'input' or 'agent', not {self.kind!r}")
        if self.output_type not in OUTPUT_TYPES:
            raise SheetSpecError(
                f"column '{self.name}': output type {self.output_type!r} is not one of {', '.join(OUTPUT_TYPES)}"
            )
        if self.kind == "agent" and not self.prompt.strip():
            raise SheetSpecError(f"agent column '{self.name}' needs a prompt")
        if self.output_type == "category" and not self.options:
            raise SheetSpecError(f"category column '{self.name}' needs a list of options")


def format_value(value: Any) -> str:
    """How a value reads in a prompt, a CSV file or a table cell."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True, slots=True)
class Cell:
    """One value with its run state; `error` also carries the reason a cell was skipped."""

    value: Any = None
    state: CellState = CellState.EMPTY
    error: str | None = None
    provenance: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return format_value(self.value)


CellCallback = Callable[[int, str, Cell], None]
LayoutCallback = Callable[[str, int | str], None]


class Sheet:
    """Rows of cells keyed by column name, plus the dependency rules that keep them consistent."""

    def __init__(
        self,
        columns: Iterable[Column] = (),
        rows: Iterable[Mapping[str, str]] = (),
        *,
        source_path: Path | None = None,
    ) -> None:
        self._lock = threading.RLock()
        columns = list(columns)
        self._check_unique(columns)
        self._graph = DependencyGraph(columns)
        self._columns: dict[str, Column] = {column.name: column for column in columns}
        self._rows: list[dict[str, Cell]] = []
        self._running_invalidated: set[CellKey] = set()
        self._cell_subs: list[CellCallback] = []
        self._layout_subs: list[LayoutCallback] = []
        self.source_path = source_path
        for values in rows:
            self.add_row(values)

    @staticmethod
    def _check_unique(columns: list[Column]) -> None:
        seen: set[str] = set()
        for column in columns:
            if column.name.casefold() in seen:
                raise SheetSpecError(f"duplicate column name '{column.name}'")
            seen.add(column.name.casefold())

    # -- columns --------------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        with self._lock:
            return tuple(self._columns.values())

    @property
    def graph(self) -> DependencyGraph:
        with self._lock:
            return self._graph

    def column(self, name: str) -> Column:
        with self._lock:
            try:
                return self._columns[name]
            except KeyError:
                raise SheetSpecError(f"no column named '{name}'") from None

    def agent_order(self) -> list[str]:
        """Agent columns in the order they must run within a row."""
        with self._lock:
            return [name for name in self._graph.order if self._columns[name].kind == "agent"]

    def add_column(self, column: Column) -> None:
        """Append a column; refused (sheet unchanged) on a duplicate name, unknown reference or cycle."""
        with self._lock:
            columns = [*self._columns.values(), column]
            self._check_unique(columns)
            self._graph = DependencyGraph(columns)
            self._columns[column.name] = column
            empty = Cell(value="" if column.kind == "input" else None)
            for row in self._rows:
                row[column.name] = empty
        self._emit_layout("column_added", column.name)

    def edit_column(
        self,
        name: str,
        *,
        prompt: str | None = None,
        output_type: str | None = None,
        options: Iterable[str] | None = None,
    ) -> set[CellKey]:
        """Change an agent column's definition; its cells and its dependents' go stale in all rows."""
        with self._lock:
            old = self.column(name)
            if old.kind != "agent":
                raise SheetSpecError(f"'{name}' is an input column; only agent columns have a prompt")
            new = replace(
                old,
                prompt=old.prompt if prompt is None else prompt,
                output_type=old.output_type if output_type is None else output_type,
                options=old.options if options is None else tuple(options),
            )
            columns = [new if column.name == name else column for column in self._columns.values()]
            graph = DependencyGraph(columns)
            self._graph = graph
            self._columns[name] = new
            affected = [name, *graph.dependents(name)]
            stale, changes = self._mark_stale_locked(
                (row, col) for row in range(len(self._rows)) for col in affected
            )
        self._emit_layout("column_edited", name)
        self._emit(changes)
        return stale

    # -- rows and cells -------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    def add_row(self, values: Mapping[str, str] | None = None) -> int:
        """Append a row of input values (unknown names are refused) and return its index."""
        values = dict(values or {})
        with self._lock:
            for name in values:
                if self.column(name).kind != "input":
                    raise SheetSpecError(f"'{name}' is an agent column; its cells are filled by running it")
            row = {}
            for name, column in self._columns.items():
                text = values.get(name, "") if column.kind == "input" else None
                row[name] = Cell(value=text, state=CellState.DONE if text else CellState.EMPTY)
            self._rows.append(row)
            index = len(self._rows) - 1
        self._emit_layout("row_added", index)
        return index

    def cell(self, row: int, col: str) -> Cell:
        with self._lock:
            return self._row(row)[self.column(col).name]

    def _row(self, row: int) -> dict[str, Cell]:
        if not 0 <= row < len(self._rows):
            raise IndexError(f"row {row} is out of range (sheet has {len(self._rows)} rows)")
        return self._rows[row]

    def row_values(self, row: int) -> dict[str, str]:
        """Every column's value as text: what prompts are filled from."""
        with self._lock:
            return {name: cell.text for name, cell in self._row(row).items()}

    def set_input(self, row: int, col: str, value: str) -> set[CellKey]:
        """Edit an input cell; exactly the agent cells of this row that depend on it go stale."""
        with self._lock:
            if self.column(col).kind != "input":
                raise SheetSpecError(f"'{col}' is an agent column; its cells are filled by running it")
            cells = self._row(row)
            if cells[col].value == value:
                return set()
            cells[col] = Cell(value=value, state=CellState.DONE if value else CellState.EMPTY)
            changes = [(row, col, cells[col])]
            stale, more = self._mark_stale_locked((row, dep) for dep in self._graph.dependents(col))
        self._emit(changes + more)
        return stale

    def mark_stale(self, keys: Iterable[CellKey]) -> set[CellKey]:
        """Mark cells stale (done/error/skipped become stale; running ones finish stale; empty stay)."""
        with self._lock:
            stale, changes = self._mark_stale_locked(keys)
        self._emit(changes)
        return stale

    def _mark_stale_locked(self, keys: Iterable[CellKey]) -> tuple[set[CellKey], list[tuple[int, str, Cell]]]:
        stale: set[CellKey] = set()
        changes: list[tuple[int, str, Cell]] = []
        for row, col in keys:
            cell = self._rows[row][col]
            if cell.state in _INVALIDATED_BY_EDIT:
                cell = self._rows[row][col] = replace(cell, state=CellState.STALE)
                changes.append((row, col, cell))
                stale.add((row, col))
            elif cell.state == CellState.RUNNING:
                self._running_invalidated.add((row, col))
                stale.add((row, col))
        return stale, changes

    def update_cell(
        self, row: int, col: str, /, *, expect: Collection[CellState] | None = None, **changes: Any
    ) -> Cell | None:
        """Compare-and-set: apply `changes` only if the cell's state is in `expect` (None: always).

        Returns the new cell, or None when the state did not match, so the executor and a cancel
        racing for the same queued cell cannot both win.
        """
        with self._lock:
            cells = self._row(row)
            old = cells[col]
            if expect is not None and old.state not in expect:
                return None
            if changes.get("state") == CellState.RUNNING:
                self._running_invalidated.discard((row, col))
            elif old.state == CellState.RUNNING and changes.get("state") in _INVALIDATED_BY_EDIT:
                if (row, col) in self._running_invalidated:
                    changes["state"] = CellState.STALE  # an input changed while this cell was running
                self._running_invalidated.discard((row, col))
            new = cells[col] = replace(old, **changes)
        self._emit([(row, col, new)])
        return new

    def queue_cell(self, row: int, col: str) -> Cell | None:
        """Mark a cell queued unless it is already queued/running; returns its previous snapshot.

        The executor keeps that snapshot so a cancel can put the cell back exactly as it was.
        """
        with self._lock:
            cells = self._row(row)
            old = cells[col]
            if old.state in BUSY:
                return None
            new = cells[col] = replace(old, state=CellState.QUEUED)
        self._emit([(row, col, new)])
        return old

    # -- observers ------------------------------------------------------------------------------

    def subscribe(self, callback: CellCallback) -> Callable[[], None]:
        """Call `callback(row, col, cell)` on every cell change, from the changing thread."""
        with self._lock:
            self._cell_subs.append(callback)
        return lambda: self._unsubscribe(self._cell_subs, callback)

    def subscribe_layout(self, callback: LayoutCallback) -> Callable[[], None]:
        """Call `callback(event, where)` for 'row_added' (index), 'column_added'/'column_edited' (name)."""
        with self._lock:
            self._layout_subs.append(callback)
        return lambda: self._unsubscribe(self._layout_subs, callback)

    def _unsubscribe(self, subs: list[Any], callback: object) -> None:
        with self._lock:
            if callback in subs:
                subs.remove(callback)

    def _emit(self, changes: list[tuple[int, str, Cell]]) -> None:
        with self._lock:
            subs = list(self._cell_subs)
        for row, col, cell in changes:
            for callback in subs:
                try:
                    callback(row, col, cell)
                except Exception:  # a broken view must not kill a worker thread
                    log.exception("sheet cell observer failed")

    def _emit_layout(self, event: str, where: int | str) -> None:
        with self._lock:
            subs = list(self._layout_subs)
        for callback in subs:
            try:
                callback(event, where)
            except Exception:
                log.exception("sheet layout observer failed")
