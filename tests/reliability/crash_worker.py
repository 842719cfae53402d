"""The process the crash harness kills: opens the lab, writes memories, prints an ACK per commit.

Importing the app (chromadb, openai, sqlmodel, …) takes longer than a whole kill cycle, so this
runs as a *zygote*: it imports once, then for each `go START` line on stdin forks a child
that opens the lab from disk exactly as a fresh start would (engine, Chroma PersistentClient,
warm_up: reconcile + resume pending jobs), checks SQLite's integrity, and writes memories until
it is SIGKILLed. Lines on stdout (JSON):

  {"pid": N}                                  child started
  {"integrity": "ok", "resumed": J, ...}      after the child's start-up (the restart check)
  {"ack": I, "mode": "hot_path"|"background"} memory I is committed (the acknowledgement)
  {"exit": PID, "status": S}                  the zygote reaped the child

`python crash_worker.py DATA_DIR check` prints the final state after a clean start instead.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import text  # noqa: E402

from agent_core.chat.agent import ChatAgent  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from memory.models import KINDS  # noqa: E402

PROFILE = "p"


def fact(i: int) -> str:
    return f"Token-{i} is safe"


def settings() -> Settings:
    s = Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.0)
    s.provider.max_retries = 0
    return s


T0 = [0.0]


def say(obj: dict) -> None:
    obj["t_ms"] = round((time.monotonic() - T0[0]) * 1000, 1)
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def open_lab(data: str) -> tuple[Lab, dict]:
    lab = Lab(data, settings())
    with lab.engine.connect() as c:
        integrity = c.execute(text("PRAGMA integrity_check")).scalar()
    report = lab.store.reconcile()
    resumed = lab.background.resume()
    return lab, {
        "integrity": integrity,
        "embedded": report.embedded,
        "orphans": report.orphans_deleted,
        "resumed": resumed,
    }


def child(data: str, start: int) -> None:
    lab, info = open_lab(data)
    say(info)
    agent = ChatAgent(lab, PROFILE, memory_mode="hot_path")
    conv = lab.conversations.create(PROFILE).id
    for i in range(start, start + 10_000):
        if (i - start) % 2 == 0:
            res = agent.turn(conv, f"Remember that token-{i} is safe.")
            if res.error or fact(i) not in [a["content"] for w in res.written for a in w["added"]]:
                say({"error": res.error, "i": i, "written": res.written})
                os._exit(3)
            say({"ack": i, "mode": "hot_path"})
        else:
            lab.background.enqueue(
                PROFILE, {"user_text": f"Remember that token-{i} is safe.", "assistant_text": "ok"}
            )
            say({"ack": i, "mode": "background"})


# Chroma and openai import these lazily on first use (~1 s); importing them here keeps each child's
# start-up near 100 ms. They start no threads, so forking afterwards is safe.
PRELOAD = (
    "chromadb.api.rust",
    "chromadb.api.client",
    "chromadb.telemetry.product.posthog",
    "openai.resources.chat",
    "openai.lib.streaming.chat",
    "jiter",
)


def zygote(data: str) -> None:
    import importlib
    import threading

    for name in PRELOAD:
        importlib.import_module(name)
    assert threading.active_count() == 1, "a thread before fork() would be lost in the child"
    say({"ready": os.getpid()})
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] != "go":
            continue
        T0[0] = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                say({"pid": os.getpid()})
                child(data, int(cmd[1]))
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        say({"exit": pid, "status": status})


def check(data: str) -> None:
    """A clean start, every pending job finished, then the state the test asserts on."""
    lab, info = open_lab(data)
    lab.background.flush(60)
    sqlite_ids: set[str] = set()
    chroma_ids: set[str] = set()
    for kind in KINDS:
        rows = lab.store.list(PROFILE, kind, include_history=True)
        sqlite_ids |= {m.id for m in rows}
        chroma_ids |= lab.store.index.ids(PROFILE, kind)
    contents = [m.content for m in lab.store.list(PROFILE, "semantic")]
    with lab.engine.connect() as c:
        info["integrity_after"] = c.execute(text("PRAGMA integrity_check")).scalar()
        info["fts_rows"] = c.execute(text("SELECT count(*) FROM memory_fts")).scalar()
        info["memory_rows"] = c.execute(text("SELECT count(*) FROM memory")).scalar()
    info.update(
        contents=contents,
        sqlite_ids=sorted(sqlite_ids),
        chroma_ids=sorted(chroma_ids),
        pending=len(lab.background.pending()),
        failed=[j.error for j in _failed(lab)],
    )
    lab.close()
    say(info)


def _failed(lab: Lab) -> list:
    from sqlmodel import Session, select

    from memory.models import MemoryJob

    with Session(lab.engine) as s:
        return list(s.exec(select(MemoryJob).where(MemoryJob.status == "failed")))


if __name__ == "__main__":
    if sys.argv[2:] == ["check"]:
        check(sys.argv[1])
    else:
        zygote(sys.argv[1])
