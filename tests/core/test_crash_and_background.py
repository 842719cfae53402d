"""Background memory: debounce with a clock seam, and crash safety under SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import text

from agent_core.lab import Lab
from labkit import make_settings
from memory.background import DebouncedExecutor
from memory.clock import ManualClock

ROOT = Path(__file__).resolve().parents[2]


def test_debounce_runs_once_after_quiet_period() -> None:
    clock = ManualClock()
    ex = DebouncedExecutor(clock, poll=0.005)
    calls: list[int] = []
    ex.submit("conv", lambda: calls.append(1), after_seconds=5)
    clock.advance(3)
    ex.submit("conv", lambda: calls.append(2), after_seconds=5)  # cancels the pending one
    clock.advance(3)
    time.sleep(0.05)
    assert calls == []
    clock.advance(3)
    assert ex.wait_idle(2)
    assert calls == [2]
    ex.close()


def test_background_memory_arrives_late_and_records_it(lab: Lab) -> None:
    from agent_core.chat.agent import ChatAgent

    conv = lab.conversations.create("default").id
    res = ChatAgent(lab, memory_mode="background").turn(conv, "I live in Oslo.")
    assert res.job_id and lab.background.pending("default")
    assert lab.background.flush(10)
    facts = [m for m in lab.store.list("default", "semantic")]
    assert [f.content for f in facts] == ["Lives in Oslo"]
    assert facts[0].write_mode == "background" and facts[0].recallable_at is not None
    assert facts[0].source_message_id == res.message_id


WORKER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from labkit import make_settings
    from agent_core.lab import Lab
    from agent_core.simulator import SimConfig
    s = make_settings(debounce_s=0.0, sim=SimConfig(ttft_ms=40, tokens_per_s=400))
    lab = Lab(sys.argv[1], s)
    lab.warm_up()
    for i in range(int(sys.argv[2]), 10_000):
        job = lab.background.enqueue("p", {{"user_text": f"Remember that token-{{i}} is safe.", "assistant_text": "ok"}})
        print(json.dumps({{"ack": i, "job": job}}), flush=True)
    """
)


def _facts(data: Path) -> list[str]:
    lab = Lab(data, make_settings())
    lab.warm_up()
    assert lab.background.flush(60)
    with lab.engine.connect() as c:
        assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    contents = [m.content for m in lab.store.list("p", "semantic")]
    ids = {m.id for m in lab.store.list("p", "semantic")}
    assert lab.store.index.ids("p", "semantic") == ids  # Chroma agrees with SQLite
    lab.close()
    return contents


def test_sigkill_during_background_consolidation_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(root=str(ROOT), tests=str(ROOT / "tests")))
    acked: set[int] = set()
    start = 0
    for kill_round in range(3):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(data), str(start)], stdout=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.add(json.loads(line)["ack"])
            if len(acked) >= 4 * (kill_round + 1):
                time.sleep(0.03 * (kill_round + 1))  # land inside an extraction / consolidation
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        start = max(acked) + 1 if acked else 0
        # a later enqueue may have been written but not acknowledged; that's allowed, not required
    contents = _facts(data)
    for i in acked:
        assert contents.count(f"Token-{i} is safe") == 1, (i, contents)
    assert len(contents) == len(set(contents))


def test_a_new_turn_postpones_pending_memory_work() -> None:
    clock = ManualClock()
    ex = DebouncedExecutor(clock, poll=0.005)
    calls: list[int] = []
    ex.submit("p", lambda: calls.append(1), after_seconds=2)
    clock.advance(1.5)
    assert ex.postpone("p", 2)  # the user started typing again
    clock.advance(1.5)
    time.sleep(0.05)
    assert calls == []
    clock.advance(1)
    assert ex.wait_idle(2) and calls == [1]
    assert not ex.postpone("p", 2)  # nothing pending any more
    ex.close()
