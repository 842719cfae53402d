"""Runs agent cells on worker threads: rows in parallel, columns of a row in dependency order.

Every `run_*` call only plans (marks cells queued) and returns a `RunHandle` at once, so a GUI
thread never blocks; the handle can be waited on or cancelled. Failures stay in their cell: a
runner exception or an answer of the wrong type makes that cell an error and its dependents
skipped, while independent cells keep running. Runners are plain callables (`CellRunner`), so the
simulator, an OpenAI-compatible client and tests plug in the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from agent_core.sheet.errors import CellOutputError, CellRunError
from agent_core.sheet.graph import fill_prompt
from agent_core.sheet.handle import RunHandle
from agent_core.sheet.model import Cell, CellKey, CellState, Sheet
from agent_core.sheet.runs import CellResult, CellRunner, UsageMeter
from agent_core.sheet.spec import parse_output

log = logging.getLogger(__name__)
# Claiming thousands of cells is pure Python; a GUI repainting meanwhile waits for the GIL once per
# cell it paints, so planning pauses briefly every PLAN_SLICE rows (a 4,000-cell plan stalled 225 ms).
PLAN_SLICE = 10
PLAN_PAUSE_S = 0.003


class SheetExecutor:
    """Schedules agent cells of a sheet on a bounded thread pool (`concurrency` rows at a time)."""

    def __init__(
        self,
        sheet: Sheet,
        runner: CellRunner,
        *,
        concurrency: int = 8,
        usd_per_1k_tokens: float = 0.0,
        usd_per_1k_completion_tokens: float | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.sheet = sheet
        self.concurrency = concurrency
        self._runner = runner
        self._prompt_rate = usd_per_1k_tokens
        self._completion_rate = (
            usd_per_1k_tokens if usd_per_1k_completion_tokens is None else usd_per_1k_completion_tokens
        )
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sheet-cell")
        self._lock = threading.Lock()
        self._handles: set[RunHandle] = set()
        self._closed = False
        self._in_progress: set[CellKey] = set()  # queued cells whose row task has started
        self._changed = threading.Condition()
        self._unsubscribe = sheet.subscribe(self._on_cell_changed)
        self.usage = UsageMeter()

    # -- public entry points: plan at once, run on the pool ------------------------------------

    def run_all(self, *, force: bool = False) -> RunHandle:
        """Every agent cell not yet done (all of them with `force`)."""
        order = self.sheet.agent_order()
        return self._submit(
            {
                row: [c for c in order if force or self.sheet.cell(row, c).state != CellState.DONE]
                for row in self._rows()
            }
        )

    def run_column(self, name: str, *, include_dependents: bool = False) -> RunHandle:
        """Re-run a column in all rows, and with `include_dependents` the chain that reads it."""
        wanted = {self.sheet.column(name).name}
        if include_dependents:
            wanted.update(self.sheet.graph.dependents(name))
        order = [c for c in self.sheet.agent_order() if c in wanted]
        return self._submit({row: order for row in self._rows()})

    def run_row(self, row: int) -> RunHandle:
        """Re-run every agent cell of one row."""
        self.sheet.cell(row, self.sheet.columns[0].name)  # bounds check before planning
        return self._submit({row: self.sheet.agent_order()})

    def run_cell(self, row: int, col: str, *, include_dependents: bool = False) -> RunHandle:
        """Re-run (retry) one cell; with `include_dependents`, also the row's dependents that go stale."""
        self.sheet.cell(row, col)
        dependents = self.sheet.graph.dependents(col) if include_dependents else []
        order = [c for c in self.sheet.agent_order() if c == col or c in dependents]
        return self._submit({row: order}, conditional=set(dependents))

    def run_stale(self) -> RunHandle:
        """Only the stale cells, in dependency order."""
        order = self.sheet.agent_order()
        return self._submit(
            {
                row: [c for c in order if self.sheet.cell(row, c).state == CellState.STALE]
                for row in self._rows()
            }
        )

    def cancel(self) -> None:
        """Cancel every active run (see `RunHandle.cancel`)."""
        with self._lock:
            handles = list(self._handles)
        for handle in handles:
            handle.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for every active run; True if all finished within `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            handles = list(self._handles)
        for handle in handles:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not handle.wait(left):
                return False
        return True

    def shutdown(self, *, wait: bool = True) -> None:
        """Cancel what is queued, let running cells finish if `wait`, stop the threads."""
        self._closed = True
        self.cancel()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._unsubscribe()

    def __enter__(self) -> SheetExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()

    # -- planning -------------------------------------------------------------------------------

    def _rows(self) -> range:
        return range(len(self.sheet))

    def _submit(self, plan: dict[int, list[str]], conditional: Iterable[str] = ()) -> RunHandle:
        if self._closed:
            raise RuntimeError("this SheetExecutor is shut down")
        handle = RunHandle(self.sheet, self._forget)
        conditional = frozenset(conditional)
        with self._lock:
            self._handles.add(handle)
        claimed: dict[int, list[str]] = {}
        for n, (row, cols) in enumerate(plan.items(), 1):
            claimed[row] = [c for c in cols if handle.claim((row, c))]
            if n % PLAN_SLICE == 0:
                time.sleep(PLAN_PAUSE_S)  # let a GUI repaint through: it needs the GIL per cell
        for row, cols in claimed.items():
            if cols:
                handle.track(self._pool.submit(self._run_row, handle, row, cols, conditional))
        handle.planned()
        return handle

    def _forget(self, handle: RunHandle) -> None:
        with self._lock:
            self._handles.discard(handle)

    # -- running one row ------------------------------------------------------------------------

    def _on_cell_changed(self, _row: int, _col: str, _cell: Cell) -> None:
        with self._changed:
            self._changed.notify_all()

    def _run_row(self, handle: RunHandle, row: int, cols: Sequence[str], conditional: frozenset[str]) -> None:
        changed: set[str] = set()
        with self._lock:
            self._in_progress.update((row, col) for col in cols)
        try:
            for col in cols:
                if handle.cancelled:
                    return
                key = (row, col)
                deps = self.sheet.graph.dependencies(col)
                if (
                    col in conditional
                    and handle.previous(key).state == CellState.DONE
                    and not changed & set(deps)
                ):
                    handle.restore(key)  # its inputs did not change: nothing to redo
                    continue
                reason = self._missing_input(handle, row, deps)
                if reason is not None:
                    if handle.transition(
                        key, value=None, state=CellState.SKIPPED, error=reason, provenance=None
                    ):
                        changed.add(col)
                    continue
                if self._run_cell(handle, row, col):
                    changed.add(col)
        except Exception:
            log.exception("sheet row %d failed unexpectedly", row)
        finally:
            with self._lock:
                self._in_progress.difference_update((row, col) for col in cols)
            for col in cols:
                handle.restore((row, col))  # no-op unless an unexpected error left it queued

    def _missing_input(self, handle: RunHandle, row: int, deps: Sequence[str]) -> str | None:
        """Why a cell cannot run, or None; waits for inputs another run is computing right now.

        Only inputs that are running, or queued in a row task that has started, are waited for:
        those always progress (rows work in one topological order), so waits can never deadlock.
        """
        for dep in deps:
            with self._changed:
                cell = self.sheet.cell(row, dep)
                while self._is_progressing(row, dep, cell) and not handle.cancelled:
                    self._changed.wait(0.05)
                    cell = self.sheet.cell(row, dep)
            if cell.state == CellState.QUEUED:
                return f"input {{{dep}}} is queued in another run"
            if self.sheet.column(dep).kind == "input":
                if not cell.text.strip():
                    return f"missing input {{{dep}}}"
            elif cell.state != CellState.DONE:
                return {
                    CellState.ERROR: f"input {{{dep}}} failed",
                    CellState.SKIPPED: f"input {{{dep}}} was skipped",
                    CellState.STALE: f"input {{{dep}}} is stale; run it first",
                }.get(cell.state, f"input {{{dep}}} has no value yet")
        return None

    def _is_progressing(self, row: int, col: str, cell: Cell) -> bool:
        if cell.state == CellState.RUNNING:
            return True
        with self._lock:
            return cell.state == CellState.QUEUED and (row, col) in self._in_progress

    def _run_cell(self, handle: RunHandle, row: int, col: str) -> bool:
        """Run one owned cell; returns whether its value changed (so dependents must be redone)."""
        column = self.sheet.column(col)
        values = self.sheet.row_values(row)
        if not handle.transition((row, col), state=CellState.RUNNING, error=None):
            return False
        prompt = fill_prompt(column.prompt, values)
        started = time.perf_counter()
        result: CellResult | None = None
        extra: dict[str, object] = {}
        try:
            result = self._runner(prompt, column, values)
            value, state, error = (
                parse_output(result.raw_text, column.output_type, column.options),
                CellState.DONE,
                None,
            )
        except CellOutputError as exc:
            value, state, error = None, CellState.ERROR, str(exc)
        except CellRunError as exc:  # the runner already wrote a sentence for people, keep it as is
            value, state, error = None, CellState.ERROR, str(exc)
            extra = exc.provenance
        except Exception as exc:  # the runner's failure belongs to this cell only
            value, state, error = None, CellState.ERROR, f"{type(exc).__name__}: {exc}"
        elapsed_ms = (time.perf_counter() - started) * 1000
        cost = self._cost(result)
        provenance = {
            "run_id": result.run_id if result else None,
            "prompt": prompt,
            "raw_text": result.raw_text if result else None,
            "latency_ms": result.latency_ms if result and result.latency_ms else round(elapsed_ms, 3),
            "prompt_tokens": result.prompt_tokens if result else 0,
            "completion_tokens": result.completion_tokens if result else 0,
            "cost_usd": cost,
            "memory_used": list(result.memory_used) if result else [],
            **(result.details if result else extra),
        }
        self.sheet.update_cell(
            row, col, expect={CellState.RUNNING}, value=value, state=state, error=error, provenance=provenance
        )
        for meter in (handle.usage, self.usage):
            meter.add(col, result, cost, error=state == CellState.ERROR)
        previous = handle.previous((row, col))
        if previous.state == CellState.DONE and previous.value == value and state == CellState.DONE:
            return False
        self.sheet.mark_stale((row, dep) for dep in self.sheet.graph.dependents(col))
        return True

    def _cost(self, result: CellResult | None) -> float:
        if result is None:
            return 0.0
        return (
            result.prompt_tokens * self._prompt_rate + result.completion_tokens * self._completion_rate
        ) / 1000
