"""Crash safety: SIGKILL the agent at random points (≥ 50 times), restart, and lose nothing.

Each cycle forks a fresh lab process from a pre-imported zygote (tests/reliability/crash_worker.py)
that opens the data dir like a restart would (integrity check, reconcile, resume jobs) and writes
memories in hot_path (a real ChatAgent turn with the save_memory tool) and background (a persisted
job, consolidated by the debounced worker) mode, printing an ACK after each commit. The test kills
it 50–400 ms after its restart (every 4th: after the fork), so kills land in start-up, reconciliation, turns, extraction and
consolidation. At the end a cold process checks: every acknowledged memory present exactly once,
`PRAGMA integrity_check` = ok after every restart, FTS rows = memory rows, Chroma ids = SQLite ids.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = int(os.environ.get("AGENT_UX_LAB_CRASH_KILLS", "50"))
SEED = int(os.environ.get("AGENT_UX_LAB_CRASH_SEED", "8"))


class Zygote:
    def __init__(self, data: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))
        self.lines.put({"eof": True})

    def next(self, timeout: float = 30.0) -> dict:
        msg = self.lines.get(timeout=timeout)
        assert "eof" not in msg, "the crash worker died"
        assert "error" not in msg, msg
        return msg

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _final_state(data: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(WORKER), str(data), "check"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(240)
def test_random_sigkills_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rng = random.Random(SEED)
    acked: dict[int, str] = {}
    phases: Counter[str] = Counter()
    restarts: list[dict] = []
    zygote = Zygote(data)
    t0 = time.monotonic()
    try:
        assert "ready" in zygote.next(60)
        for cycle in range(KILLS):
            zygote.send(f"go {cycle * 10_000}")
            pid = zygote.next()["pid"]
            # Every 4th kill counts from the fork (lands in start-up: reconcile, job resume), the
            # others from the end of the restart (lands in turns, extraction, consolidation).
            delay = rng.uniform(0.05, 0.4)
            kill_at = time.monotonic() + delay if cycle % 4 == 0 else None
            phase = "start-up"
            while kill_at is None or (left := kill_at - time.monotonic()) > 0:
                try:
                    msg = zygote.next(30 if kill_at is None else left)
                except queue.Empty:
                    break
                if "integrity" in msg:
                    restarts.append(msg)
                    phase = "writing"
                    kill_at = kill_at or time.monotonic() + delay
                elif "ack" in msg:
                    acked[msg["ack"]] = msg["mode"]
            os.kill(pid, signal.SIGKILL)
            while "exit" not in (msg := zygote.next()):
                if "integrity" in msg:
                    restarts.append(msg)
                elif "ack" in msg:  # written before the kill landed: acknowledged all the same
                    acked[msg["ack"]] = msg["mode"]
            assert msg["status"] != 0, "the child must die by the kill, not exit"
            phases[phase] += 1
    finally:
        zygote.close()
    loop_s = time.monotonic() - t0
    state = _final_state(data)

    contents = Counter(state["contents"])
    present = sum(1 for i in acked if contents[f"Token-{i} is safe"] >= 1)
    duplicates = sum(n - 1 for n in contents.values() if n > 1)
    modes = Counter(acked.values())
    print(
        f"\ncrash harness: kills={KILLS} ({dict(phases)}) in {loop_s:.1f}s, acknowledged={len(acked)} "
        f"(hot_path={modes['hot_path']}, background={modes['background']}), present={present}, "
        f"duplicates={duplicates}, restarts checked={len(restarts)}, "
        f"reconcile embedded={sum(r['embedded'] for r in restarts)}, "
        f"jobs resumed={sum(r['resumed'] for r in restarts)}, memory rows={state['memory_rows']}"
    )
    assert len(phases) and sum(phases.values()) == KILLS
    assert all(r["integrity"] == "ok" for r in restarts)
    assert state["integrity"] == state["integrity_after"] == "ok"
    assert present == len(acked), sorted(i for i in acked if not contents[f"Token-{i} is safe"])
    assert duplicates == 0, [c for c, n in contents.items() if n > 1]
    assert state["pending"] == 0 and state["failed"] == []
    assert state["sqlite_ids"] == state["chroma_ids"]  # Chroma agrees with SQLite after reconcile
    assert state["fts_rows"] == state["memory_rows"]  # and so does the lexical index
    assert modes["hot_path"] > 0 and modes["background"] > 0
