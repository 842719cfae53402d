"""GUI-thread stalls while the document agent works: its model calls in the engine's child vs in this process.

The real CollabPage (1200x800). Each round: three quick actions stream in at once as suggestions
(fix tone §1, rewrite §2, fix tone §3), two are accepted and one rejected (the learner commits a
style rule and writes a fact), then two direct edits at once and a conflicted hunk re-run. A probe
(a 5 ms timer measuring its own lateness) runs from the first action to the last write; building the
page is left out; user actions are 60 ms apart, as clicks are. The same rounds run in this one
process with a `LocalEngine` (the model calls on threads here, as before) and with a
`ProcessEngine` (as in the app), each over its own Lab in the repo's usual way (`chroma_process`
on for the child, off in-process); "idle" is the same probe over the shown page doing nothing for
about as long, so the machine's own noise shows as a row. Prints
p50/p99/max stall (ms) per row and p99 against the 20 ms target; repeat rows to interleave them
(`--engines=idle,local,process,local,process`).

    .venv/bin/python bench/bench_collab_stall.py [ROUNDS] [--tps=TOKENS_PER_S] [--engines=idle,local,process]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtWidgets import QApplication  # noqa: E402

from agent_core.collab import Insert  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.engine import LocalEngine, ProcessEngine  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.collab.page import SAMPLE, CollabPage  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap, wait_until  # noqa: E402

TARGET_P99_MS = 20.0
IDLE_ROUND_MS = 2000  # about one round's length
CLICK_GAP_MS = 60
FIRST = ("fix_tone", "rewrite", "fix_tone")  # on §1, §2, §3
T = TypeVar("T")
TEXT = SAMPLE + "\nWe asked Marisol for the docs review; Marisol agreed, and Marisol owns the import flow.\n"


def click(fn: Callable[..., T], *args: object) -> T:
    """One user action, then the event loop runs for a moment, as between two clicks."""
    out = fn(*args)
    wait_until(lambda: False, CLICK_GAP_MS)
    return out


def one_round(page: CollabPage) -> int:
    """Three suggestions at once, reviews, two direct edits, a conflicted re-run; returns the model calls."""
    idle = lambda: not page.runner.busy  # noqa: E731
    runs = [click(page.run_action, action, page.section_target(i)) for i, action in enumerate(FIRST)]
    wait_until(idle)
    first, rewrite, second = (run.sid for run in runs if run and run.sid)
    click(page.accept, first)
    click(page.accept, second)  # two accepted tone fixes teach a rule: the learner commits it
    click(page.reject, rewrite)
    page.direct_box.setChecked(True)
    click(page.run_action, "summarise", page.section_target(2))
    click(page.run_action, "continue", page.section_target(1))
    wait_until(idle)
    page.direct_box.setChecked(False)
    again = click(page.run_action, "rewrite", page.section_target(1))
    wait_until(idle)
    assert again and again.sid
    click(
        page.doc.user_edit, Insert(page.doc.suggestion(again.sid).start + 5, "Z")
    )  # a keystroke in the hunk
    page.rerun(again.sid)
    wait_until(idle)
    wait_until(lambda: page.learner.committed is not None)
    return 7


def run(kind: str, rounds: int, tps: float) -> tuple[list[float], float, int, int]:
    settings = Settings(
        embedder="hash-256", sim=SimConfig(ttft_ms=150.0, tokens_per_s=tps), memory_mode="background"
    )
    lab = Lab(tempfile.mkdtemp(prefix=f"bench-collab-{kind}-"), settings, chroma_process=kind == "process")
    lab.warm_up()
    ctx = LabContext(lab)
    assert isinstance(ctx.engine, ProcessEngine if kind == "process" else LocalEngine)
    probe = StallProbe(5)
    samples: list[float] = []
    actions = chunks = 0
    elapsed = 0.0
    counted: list[int] = []  # chunks of each finished action
    for i in range(rounds + 1):  # round 0 warms up the engine (child start, first imports): not measured
        page = CollabPage(ctx, text=TEXT)
        page.resize(1200, 800)
        page.show()
        counted.clear()
        page.runner.finished.connect(lambda run, _error: counted.append(len(run.buffer)))
        wait_until(lambda: False, 200)
        settle_heap()
        started = time.perf_counter()
        probe.start()
        if kind == "idle":
            wait_until(lambda: False, IDLE_ROUND_MS)
            n = 0
        else:
            n = one_round(page)
        probe.stop()
        if i:
            samples += probe.samples
            elapsed += time.perf_counter() - started
            actions += n
            chunks += sum(counted)
        page.shutdown()
        page.deleteLater()
        wait_until(lambda: False, 100)
    ctx.close()
    lab.close()
    return samples, elapsed, actions, chunks


def pct(s: list[float], p: float) -> float:
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    rounds = int(args[0]) if args else 5
    tps = float(opts.get("tps", 200))
    engines = opts.get("engines", "idle,local,process").split(",")
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication([])
    print(f"document page: {rounds} rounds of 7 actions (3 at once, 2 direct, a conflict re-run) with reviews; "
          f"model at {tps:g} tok/s after 150 ms; probe ticks every 5 ms")  # fmt: skip
    for kind in engines:
        samples, elapsed, actions, chunks = run(kind, rounds, tps)
        s = sorted(samples)
        where = {
            "idle": "no actions, the page shown (the machine's noise)",
            "local": "model calls in this process (LocalEngine)",
            "process": "model calls in the engine's child (ProcessEngine)",
        }[kind]
        print(f"  {kind:<7} {where}: {actions} actions, {chunks} chunks in {elapsed:.1f} s, {len(s)} ticks")
        print(f"          stall p50 {pct(s, 50):.1f} ms  p99 {pct(s, 99):.1f} ms  max {pct(s, 100):.1f} ms  "
              f"(p99 / target {TARGET_P99_MS:.0f} ms = {pct(s, 99) / TARGET_P99_MS:.2f})")  # fmt: skip
    del app


if __name__ == "__main__":
    main()
