"""GUI-thread stalls through a generative-UI session: cards streaming in, answers sent back, replies.

The real page over a Lab whose index runs in its own process, as in the app. Every example prompt
in turn (weather, comparison, a form, a chart, a confirmation, an A2UI surface), waiting cards
skipped (so their answer goes back as a follow-up turn); the simulator streams at 200 tokens/s
after 150 ms, tool arguments replay at the page's pace, background memory is on. The probe (a 5 ms
timer measuring its own lateness) runs for the whole session.
"process": turns run in the agent engine's child (the app). "local": the same service on a thread
of the GUI process (what the page did before, with its own worker thread), the baseline.
Prints p50/p99/max stall (ms) per engine and the p99 against the 20 ms target.

    .venv/bin/python bench/bench_genui_stall.py [ROUNDS] [process|local|both]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtWidgets import QApplication  # noqa: E402

from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.engine import LocalEngine, lab_service  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap, wait_until  # noqa: E402
from ui_patterns.genui.page import EXAMPLES, GenUIPage  # noqa: E402

TARGET_P99_MS = 20.0


def session(engine: str, rounds: int) -> tuple[list[float], int, int, float]:
    """Run the session; return the probe's samples, turns, components shown, and seconds."""
    settings = Settings(
        embedder="hash-256",
        sim=SimConfig(ttft_ms=150.0, tokens_per_s=200.0),
        debounce_s=0.5,
        memory_mode="background",
    )
    lab = Lab(tempfile.mkdtemp(prefix=f"bench-genui-{engine}-"), settings, chroma_process=True)  # as the app
    lab.warm_up()
    ctx = LabContext(lab)
    if engine == "local":  # the baseline: the turns on a thread of this process
        ctx._engine = LocalEngine(lab)  # noqa: SLF001 - what make_engine picks without a shareable index
        ctx._engine.listeners.append(ctx._on_engine_event)  # noqa: SLF001
    lab_service(ctx.engine).call(Lab.load_models).result(timeout=300)  # as the app's warm-up
    page = GenUIPage(ctx)
    page.resize(1024, 640)
    page.show()
    ended: list[str] = []
    page.runner.ended.connect(ended.append)
    probe = StallProbe(5)
    settle_heap()  # as the app does once its window is up
    probe.start()
    started = time.perf_counter()
    for _ in range(rounds):
        for text in EXAMPLES:
            assert page.ask(text), text
            while True:
                wait_until(lambda: not page.running)
                if not page.waiting_calls():
                    break
                page.skip_waiting()  # the answer goes back to the agent as a turn
                wait_until(lambda: page.running or not page.waiting_calls(), 5_000)
    wait_until(lambda: not page.running and not lab.background.pending(), 20_000)
    wait_until(lambda: False, 300)
    probe.stop()
    elapsed = time.perf_counter() - started
    turns = len(ended)
    errors = [e for e in ended if e]
    assert not errors, errors
    shown = len(page.calls()) + len(page.a2ui_calls())
    page.shutdown()
    ctx.close()
    lab.close()
    return probe.samples, turns, shown, elapsed


def main(rounds: int = 2, which: str = "both") -> None:
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication([])
    engines = ["process", "local"] if which == "both" else [which]
    for engine in engines:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
        samples, turns, shown, elapsed = session(engine, rounds)
        s = sorted(samples)

        def pct(p: float, s: list[float] = s) -> float:
            return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0

        where = (
            "in the engine's child process" if engine == "process" else "on a GUI-process thread (baseline)"
        )
        print(f"{engine}: {turns} turns ({shown} components) in {elapsed:.1f} s {where}, "
              f"{len(s)} probe ticks of 5 ms, load/core {load:.1f} before")  # fmt: skip
        print(f"  p50 {pct(50):.1f} ms  p99 {pct(99):.1f} ms  max {pct(100):.1f} ms  "
              f"p99 / target ({TARGET_P99_MS:.0f} ms) = {pct(99) / TARGET_P99_MS:.2f}")  # fmt: skip
    del app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2, sys.argv[2] if len(sys.argv) > 2 else "both")
