"""Run a benchmark in a spawned child process and read its progress from a pipe.

In the GUI's process a run stalled the GUI thread: its worker thread's allocations set off full
garbage collections (200–340 ms with the GIL held) and Chroma's calls hold the GIL too (60–80 ms).
In a child, the GUI process only waits on a pipe and unpickles small progress events.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from agent_core.memlab.runner import Progress, RunConfig, iter_run, question_entry

POLL_S = 0.05
JOIN_S = 10.0


@dataclass(frozen=True, slots=True)
class Loaded:
    """The dataset is read: its summary, import problems and the questions for the drill-down."""

    summary: str
    problems: list[str]
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Failed:
    """The run could not go on; `message` is for people (the traceback went to the child's stderr)."""

    message: str


Event = Loaded | Progress | Failed


def _lean(report: Progress) -> Progress:
    """The last event without the rows and details already sent batch by batch."""
    outcome = report.outcome
    if outcome is None:
        return report
    record = replace(outcome.record, rows=[])
    return replace(report, outcome=replace(outcome, record=record, details={}))


def _child(conn: Connection, stop: Any, kind: str, source: str, config: RunConfig, out_dir: Path) -> None:
    from agent_core.memlab.importers import DatasetFormatError
    from agent_core.memlab.sources import load_dataset

    try:
        try:
            dataset = load_dataset(kind, source, config.seed)
        except (OSError, ValueError, DatasetFormatError) as exc:
            conn.send(Failed(str(exc)))
            return
        questions = {q.id: question_entry(c, q) for c, q in dataset.questions()}
        conn.send(Loaded(dataset.summary(), [str(p) for p in dataset.problems], questions))
        for report in iter_run(dataset, config, out_dir=out_dir, should_stop=stop.is_set):
            conn.send(_lean(report))
    except Exception as exc:  # noqa: BLE001 - the parent shows a message, the child's stderr the trace
        traceback.print_exc()
        conn.send(Failed(f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_in_child(
    kind: str,
    source: str,
    config: RunConfig,
    out_dir: Path,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Event]:
    """Yield the child's events: `Loaded`, then `Progress` (the last carries the outcome) or `Failed`.

    `should_stop` is polled between events; the child then stops after its current turn, as
    `iter_run` does. Leaving the generator early stops the child too.
    """
    ctx = multiprocessing.get_context("spawn")  # no forked copies of Qt or SQLite handles
    reader, writer = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    process = ctx.Process(
        target=_child, args=(writer, stop, kind, source, config, out_dir), name="memlab-run", daemon=True
    )
    process.start()
    writer.close()
    try:
        while True:
            if should_stop():
                stop.set()
            if not reader.poll(POLL_S):
                continue
            try:
                event = reader.recv()
            except EOFError:  # the child ended without a last event: it crashed or was killed
                process.join(JOIN_S)
                yield Failed(f"the benchmark process stopped early (exit code {process.exitcode})")
                return
            yield event
            if isinstance(event, Failed) or (isinstance(event, Progress) and event.outcome is not None):
                return
    finally:
        stop.set()
        reader.close()
        process.join(JOIN_S)
        if process.is_alive():
            process.terminate()
            process.join(JOIN_S)
