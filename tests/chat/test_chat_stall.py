"""The GUI thread never stalls while replies stream at 200 tokens/s with background memory on.

The probe runs from each reply's first token to its end, while the previous turn's background
memory job (debounced 50 ms) runs concurrently; turn set-up (new widgets) is outside the window.
"""

from __future__ import annotations

import os

import pytest
from pytestqt.qtbot import QtBot

from tests.chat.conftest import SLOW, MakePage
from ui_patterns.chat.demo import demo_script
from ui_patterns.common import StallProbe

BUDGET_MS = 50.0


@pytest.mark.parametrize("engine_kind", ["process"])  # turns run in the engine's child, as in the app
def test_streaming_with_background_memory_does_not_stall(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(sim=SLOW, memory_mode="background")
    probe = StallProbe(5)
    samples: list[float] = []
    for text in [*demo_script(page), "Where do I live?"]:
        with qtbot.waitSignal(page.turn_finished, timeout=10_000):
            turn = page.send(text)
            assert turn is not None
            qtbot.waitUntil(lambda t=turn: bool(t.assistant_bubble.text()), timeout=5_000)
            probe.start()
        probe.stop()
        samples += probe.samples
    qtbot.waitUntil(lambda: all("pending" not in t.memory_label.text() for t in page.turns()), timeout=10_000)
    assert len(samples) >= 10
    # The budget itself is bench/bench_chat_stall.py's to measure (a quiet machine, many turns);
    # here one tick lost to another test's process must not fail the suite: p99 must hold.
    ordered = sorted(samples)
    p99, worst = ordered[int(0.99 * (len(ordered) - 1))], ordered[-1]
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    if p99 >= BUDGET_MS and load > 1.5:  # other processes own the CPUs: the figure says nothing
        pytest.skip(f"p99 stall {p99:.1f} ms, but the machine is overloaded (load/core {load:.1f})")
    assert p99 < BUDGET_MS, f"p99 stall {p99:.1f} ms (max {worst:.1f}) over {len(samples)} ticks"
    assert all(t.memory_label.text().startswith("memory") for t in page.turns())
