"""The executor with real threads and small runner callables: order, errors, retry, cancel, limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from agent_core.sheet import CellResult, CellState, Column, Sheet, SheetExecutor

Answer = Callable[[str, Column, dict[str, str]], str]


class Recorder:
    """A runner that records calls and the most simultaneous ones; optionally waits on a gate."""

    def __init__(
        self, answer: Answer | None = None, *, gate: threading.Event | None = None, delay: float = 0.0
    ):
        self.answer = answer or (lambda prompt, column, values: f"{column.name}<{prompt}>")
        self.gate, self.delay = gate, delay
        self.calls: list[tuple[str, str]] = []
        self.active = self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult:
        with self._lock:
            self.calls.append((column.name, prompt))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                assert self.gate.wait(2)
            if self.delay:
                time.sleep(self.delay)
            text = self.answer(prompt, column, row_values)
        finally:
            with self._lock:
                self.active -= 1
        return CellResult(
            text, prompt_tokens=10, completion_tokens=5, run_id=f"run-{len(self.calls)}", memory_used=["m1"]
        )

    def until_active(self, count: int) -> None:
        deadline = time.monotonic() + 2
        while self.active < count:
            assert time.monotonic() < deadline, "runner calls did not start"
            time.sleep(0.005)


def chain_sheet(rows: int = 4) -> Sheet:
    return Sheet(
        [
            Column("Company"),
            Column("Website"),
            Column("Pitch", "agent", "Pitch for {Company} in {Industry}"),
            Column("Industry", "agent", "Industry of {Company}"),
            Column("Up", "agent", "Is {Website} reachable?", "yes/no"),
        ],
        [{"Company": f"Co{i}", "Website": f"co{i}.com"} for i in range(rows)],
    )


def answer(prompt: str, column: Column, _values: dict[str, str]) -> str:
    if column.name == "Up":
        return "yes"
    if column.name == "Industry" and "Co1" in prompt:
        raise ConnectionError("provider down")
    return f"{column.name} for {prompt}"


@pytest.fixture
def make_executor() -> Iterator[Callable[..., SheetExecutor]]:
    made: list[SheetExecutor] = []

    def make(sheet: Sheet, runner: Recorder, **kwargs: object) -> SheetExecutor:
        made.append(SheetExecutor(sheet, runner, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for executor in made:
        executor.shutdown()


def test_run_all_fills_in_dependency_order_and_errors_stay_in_their_cell(make_executor) -> None:
    sheet, runner = chain_sheet(), Recorder(answer)
    handle = make_executor(sheet, runner).run_all()
    assert handle.wait(2) and handle.done
    assert sheet.cell(0, "Pitch").value == "Pitch for Pitch for Co0 in Industry for Industry of Co0"
    assert sheet.cell(1, "Industry").state == CellState.ERROR
    assert sheet.cell(1, "Industry").error == "ConnectionError: provider down"
    assert (sheet.cell(1, "Pitch").state, sheet.cell(1, "Pitch").error) == (
        CellState.SKIPPED,
        "input {Industry} failed",
    )
    assert sheet.cell(1, "Up").value == "yes" and sheet.cell(3, "Pitch").state == CellState.DONE
    assert len(runner.calls) == 4 * 3 - 1


def test_retry_reruns_only_the_cell_then_optionally_its_stale_dependents(make_executor) -> None:
    sheet, broken = chain_sheet(), {"on": True}

    def flaky(prompt: str, column: Column, values: dict[str, str]) -> str:
        if broken["on"] and column.name == "Industry" and "Co1" in prompt:
            raise TimeoutError("slow")
        return f"{column.name}:{prompt}"

    runner = Recorder(flaky)
    executor = make_executor(sheet, runner)
    assert executor.run_all().wait(2)
    before = len(runner.calls)
    broken["on"] = False
    assert executor.run_cell(1, "Industry").wait(2)
    assert runner.calls[before:] == [("Industry", "Industry of Co1")]
    assert sheet.cell(1, "Industry").state == CellState.DONE
    assert sheet.cell(1, "Pitch").state == CellState.STALE  # skipped before, its input now changed
    assert executor.run_stale().wait(2)
    assert [name for name, _ in runner.calls[before + 1 :]] == ["Pitch"]
    assert sheet.cell(1, "Pitch").state == CellState.DONE
    # same answer again: dependents are still valid, so nothing else re-runs
    assert executor.run_cell(0, "Industry", include_dependents=True).wait(2)
    assert [name for name, _ in runner.calls[before + 2 :]] == ["Industry"]
    assert sheet.cell(0, "Pitch").state == CellState.DONE


def test_run_cell_with_dependents_follows_a_changed_value(make_executor) -> None:
    sheet, version = chain_sheet(2), {"n": 0}
    runner = Recorder(
        lambda prompt, column, values: "yes" if column.name == "Up" else f"{prompt} v{version['n']}"
    )
    executor = make_executor(sheet, runner)
    assert executor.run_all().wait(2)
    version["n"] = 1
    before = len(runner.calls)
    assert executor.run_cell(0, "Industry", include_dependents=True).wait(2)
    assert [name for name, _ in runner.calls[before:]] == ["Industry", "Pitch"]
    assert sheet.cell(0, "Pitch").value.endswith("v1") and sheet.cell(1, "Pitch").value.endswith("v0")


def test_bad_output_and_missing_input_are_cell_errors(make_executor) -> None:
    sheet = Sheet(
        [Column("Company"), Column("Size", "agent", "Employees at {Company}", "number")],
        [{"Company": "Acme"}, {"Company": ""}],
    )
    runner = Recorder(lambda prompt, column, values: "Unknown")
    assert make_executor(sheet, runner).run_all().wait(2)
    assert sheet.cell(0, "Size").state == CellState.ERROR
    assert sheet.cell(0, "Size").error == "expected a number, got 'Unknown'"
    assert sheet.cell(0, "Size").provenance["raw_text"] == "Unknown"
    assert (sheet.cell(1, "Size").state, sheet.cell(1, "Size").error) == (
        CellState.SKIPPED,
        "missing input {Company}",
    )
    assert len(runner.calls) == 1


def test_cancel_is_prompt_and_restores_queued_cells(make_executor) -> None:
    sheet, gate = chain_sheet(10), threading.Event()
    gate.set()
    runner = Recorder(lambda prompt, column, values: f"{column.name} #{len(runner.calls)}", gate=gate)
    executor = make_executor(sheet, runner, concurrency=2)
    assert executor.run_column("Industry").wait(2)
    old = [sheet.cell(row, "Industry").value for row in range(10)]
    gate.clear()
    started = time.perf_counter()
    handle = executor.run_column("Industry")
    assert time.perf_counter() - started < 0.05 and not handle.done  # planning never waits for runs
    runner.until_active(2)
    started = time.perf_counter()
    executor.cancel()
    assert time.perf_counter() - started < 0.05
    states = [sheet.cell(row, "Industry").state for row in range(10)]
    assert states.count(CellState.RUNNING) == 2 and states.count(CellState.DONE) == 8
    assert [sheet.cell(r, "Industry").value for r in range(10) if states[r] == CellState.DONE] == [
        old[r] for r in range(10) if states[r] == CellState.DONE
    ]
    gate.set()
    assert handle.wait(1) and handle.cancelled
    assert len(runner.calls) == 12  # only the two that were running finished
    assert all(sheet.cell(row, "Industry").state == CellState.DONE for row in range(10))


def test_concurrency_limit_holds_across_runs(make_executor) -> None:
    sheet = chain_sheet(12)
    runner = Recorder(lambda prompt, column, values: "yes" if column.name == "Up" else "x", delay=0.01)
    executor = make_executor(sheet, runner, concurrency=3)
    first, second = executor.run_column("Industry"), executor.run_column("Up")
    assert executor.wait(3) and first.done and second.done
    assert runner.max_active == 3
    assert len(runner.calls) == 24


def test_dependent_run_waits_for_a_column_another_run_is_computing(make_executor) -> None:
    sheet = chain_sheet(4)
    runner = Recorder(delay=0.01)
    executor = make_executor(sheet, runner, concurrency=2)
    executor.run_column("Industry")
    pitch = executor.run_column("Pitch")
    assert pitch.wait(3)
    assert all(sheet.cell(row, "Pitch").state == CellState.DONE for row in range(4))
    assert len(runner.calls) == 8


def test_usage_cost_provenance_and_worker_thread_notifications(make_executor) -> None:
    sheet, threads = chain_sheet(3), set()
    sheet.subscribe(lambda row, col, cell: threads.add(threading.current_thread().name))
    runner = Recorder(lambda prompt, column, values: "no" if column.name == "Up" else "ok")
    executor = make_executor(sheet, runner, usd_per_1k_tokens=2.0, usd_per_1k_completion_tokens=4.0)
    handle = executor.run_all()
    assert handle.wait(2)
    report = executor.usage.report()
    assert report.total.cells == 9 and report.total.total_tokens == 9 * 15
    assert report.total.cost_usd == pytest.approx(9 * (10 * 2.0 + 5 * 4.0) / 1000)
    assert report.per_column["Up"].cells == 3 and handle.usage.report().total == report.total
    provenance = sheet.cell(2, "Pitch").provenance
    assert provenance["prompt"] == "Pitch for Co2 in ok"
    assert provenance["run_id"].startswith("run-") and provenance["memory_used"] == ["m1"]
    assert (provenance["prompt_tokens"], provenance["completion_tokens"]) == (10, 5)
    assert any(name.startswith("sheet-cell") for name in threads)
