"""Ambient bench: 8 agents × 200 events with the instant simulator, the page attached offscreen.

Prints throughput, the GUI stall probe's max / p99 while agents work on their threads, and checks
that every (agent, event) was processed exactly once. Usage: python bench/bench_ambient.py [EVENTS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from agent_core.ambient import AmbientAgent, CalendarSource, EmailSource, Event  # noqa: E402
from agent_core.ambient.inbox import ProcessedEvent  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.runs import Run  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.ambient.page import AmbientPage  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap  # noqa: E402

KINDS = ["triage", "triage", "triage", "researcher", "researcher", "researcher", "scheduler", "scheduler"]


def cycled(events: list[Event], n: int) -> list[Event]:
    return [events[i % len(events)].replayed(f"b{i // len(events)}") for i in range(n)]


def main(n_events: int = 200) -> int:
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication(sys.argv)
    lab = Lab(
        Path(tempfile.mkdtemp()), Settings(embedder="hash-256", sim=SimConfig.instant()), chroma_process=True
    )  # as the app
    lab.warm_up()
    ctx = LabContext(lab)
    agents = [AmbientAgent(f"{k}-{i}", k, f"bench.{i}", "hot_path") for i, k in enumerate(KINDS)]
    page = AmbientPage(ctx, agents=agents, events=[])
    page.resize(1360, 820)
    page.show()
    stream = cycled(EmailSource().events(), n_events) + cycled(CalendarSource().events(), n_events)
    expected = sum(1 for e in stream for a in agents if a.accepts(e))
    probe = StallProbe(10)
    settle_heap()  # as the app does once its window is up
    probe.start()
    t0 = time.perf_counter()
    for e in stream:  # everything arrives at once: the worst case for the GUI
        page.controller.deliver(e)
    deadline = t0 + 170
    while time.perf_counter() < deadline:  # the check is cheap: the probe measures the page, not us
        app.processEvents()
        time.sleep(0.005)
        if page.controller.idle():
            with Session(lab.engine) as s:
                if len(list(s.exec(select(ProcessedEvent.key)))) >= expected and page.controller.idle():
                    break
    elapsed = time.perf_counter() - t0
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    probe.stop()
    with Session(lab.engine) as s:
        keys = list(s.exec(select(ProcessedEvent.key)))
        roots = Counter(
            (r.agent, r.conversation_id) for r in s.exec(select(Run).where(Run.kind == "ambient"))
            if r.parent_run_id is None
        )  # fmt: skip
    dupes = sum(1 for c in roots.values() if c > 1)
    items = len(page.controller.items())
    print(f"agents: {len(agents)}  events per agent: {n_events}  runs expected: {expected}")
    print(
        f"processed: {len(keys)} (distinct {len(set(keys))}), root runs: {sum(roots.values())}, duplicates: {dupes}"
    )
    print(
        f"wall time: {elapsed:.1f} s  throughput: {len(keys) / elapsed:.1f} runs/s  inbox items pending: {items}"
    )
    print(f"GUI stall probe: max {probe.max_stall_ms:.1f} ms  p99 {probe.percentile(99):.1f} ms  "
          f"p50 {probe.percentile(50):.1f} ms  ({len(probe.samples)} ticks)")  # fmt: skip
    ok = len(keys) == len(set(keys)) == expected and dupes == 0
    print("exactly once:", "yes" if ok else "NO")
    page.shutdown()
    ctx.close()
    lab.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
