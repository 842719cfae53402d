"""A handle on one `run_*` request: its cells, its usage, and how to wait for or cancel it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from agent_core.sheet.model import Cell, CellKey, CellState, Sheet
from agent_core.sheet.runs import UsageMeter


class RunHandle:
    """One `run_*` request: its queued cells, its own usage, `wait`, `done` and `cancel`."""

    def __init__(self, sheet: Sheet, on_done: Callable[[RunHandle], None]) -> None:
        self._sheet = sheet
        self._on_done = on_done
        self._lock = threading.Lock()
        self._previous: dict[CellKey, Cell] = {}
        self._queued: set[CellKey] = set()
        self._futures: list[Future[None]] = []
        self._pending = 1  # planning holds one count so `done` cannot fire between two rows
        self._cancelled = threading.Event()
        self._done = threading.Event()
        self.usage = UsageMeter()

    @property
    def cells(self) -> tuple[CellKey, ...]:
        """The cells this run took over (cells already queued by another run are left to it)."""
        return tuple(self._previous)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every row of this run has finished; True if it did within `timeout`."""
        return self._done.wait(timeout)

    def cancel(self) -> None:
        """Put queued cells back as they were, at once; cells already running finish normally."""
        with self._lock:
            self._cancelled.set()
            queued, self._queued = self._queued, set()
            futures = list(self._futures)
            for row, col in queued:
                previous = self._previous[(row, col)]
                self._sheet.update_cell(
                    row,
                    col,
                    expect={CellState.QUEUED},
                    value=previous.value,
                    state=previous.state,
                    error=previous.error,
                    provenance=previous.provenance,
                )
        for future in futures:
            future.cancel()

    def previous(self, key: CellKey) -> Cell:
        return self._previous[key]

    def transition(self, key: CellKey, **changes: Any) -> bool:
        """Move an owned queued cell on (to running, skipped...) unless the run was cancelled first."""
        with self._lock:
            if self._cancelled.is_set() or key not in self._queued:
                return False
            self._queued.discard(key)
            return self._sheet.update_cell(*key, expect={CellState.QUEUED}, **changes) is not None

    def restore(self, key: CellKey) -> bool:
        """Give an owned queued cell back its previous state (it turned out not to need a run)."""
        previous = self._previous[key]
        return self.transition(
            key,
            value=previous.value,
            state=previous.state,
            error=previous.error,
            provenance=previous.provenance,
        )

    def claim(self, key: CellKey) -> bool:
        """Queue a cell for this run unless another run already has it."""
        previous = self._sheet.queue_cell(*key)
        if previous is None:
            return False
        with self._lock:
            self._previous[key] = previous
            self._queued.add(key)
        return True

    def planned(self) -> None:
        """Planning is over: `done` now fires after the last row finishes, or at once if none."""
        self._row_finished(None)

    def track(self, future: Future[None]) -> None:
        with self._lock:
            self._pending += 1
            self._futures.append(future)
        future.add_done_callback(self._row_finished)

    def _row_finished(self, _future: Future[None] | None) -> None:
        with self._lock:
            self._pending -= 1
            finished = self._pending == 0
        if finished:
            self._done.set()
            self._on_done(self)
