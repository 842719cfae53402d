"""A Memory Lab run keeps the GUI thread free: the benchmark runs in a child process.

In the GUI's process a small run stalled the GUI thread 185-570 ms (the worker's allocations set
off full garbage collections with the GIL held; Chroma's calls hold it too). With the run in a
child, the worst tick measured 50-80 ms on 2 cores under a load of 3-4 per core (p99 ~10 ms).
"""

from __future__ import annotations

import os
import tempfile

import pytest

pytest.importorskip("pytestqt")

from ui_patterns.common import LabContext, StallProbe, settle_heap  # noqa: E402
from ui_patterns.memlab.page import MemoryLabPage  # noqa: E402

MAX_STALL_MS = 100.0
P99_MS = 40.0


def test_a_run_keeps_the_gui_thread_free(qtbot, lab, work_dir, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(tempfile, "tempdir", str(work_dir))
    monkeypatch.setenv("TMPDIR", str(work_dir))
    ctx = LabContext(lab)
    page = MemoryLabPage(ctx)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1024, 560)
    page.show()
    page.controls.size.setCurrentText("tiny")
    for name, box in page.controls.checks.items():
        box.setChecked(name in {"semantic", "background"})
    settle_heap()  # as the app does once its window is up
    qtbot.wait(50)
    probe = StallProbe(10)
    probe.start()
    page.start_run()
    qtbot.waitUntil(lambda: page.worker is None, timeout=120_000)
    probe.stop()  # the run; decoding the three chart PNGs afterwards may still cost a tick (see the report)
    qtbot.waitUntil(lambda: all(chart.has_image() for chart in page.charts.values()), timeout=10_000)
    ctx.close()
    assert "finished" in page.status.text(), page.status.text()
    assert len(probe.samples) > 50
    ordered = sorted(probe.samples)
    worst, second, p99 = ordered[-1], ordered[-2], probe.percentile(99)
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    if (second >= MAX_STALL_MS or p99 >= P99_MS) and load > 2.0:  # other processes own the CPUs
        pytest.skip(
            f"stall {second:.0f} ms (p99 {p99:.0f}), but the machine is overloaded (load/core {load:.1f})"
        )
    # One tick may be lost to a collection in the test process or to another process on 2 shared
    # cores (seen: one 140-180 ms tick in some runs); in-process, dozens of ticks were 60-570 ms.
    assert second < MAX_STALL_MS, f"the GUI thread stalled {second:.0f} ms twice or more (worst {worst:.0f})"
    assert p99 < P99_MS, f"p99 stall {p99:.0f} ms"
