"""GUI-thread stall while opening each page of the app, as a user clicking through the navigation.

A window over a data dir with history (a 12-turn conversation, 300 traced runs, its memories),
1024x640, the engine and index in child processes as in the app. For every page: the worst stall
of the first open (the page is built, loads its data off the GUI thread, paints) and of a second
open (switching back to it). The baseline is the same probe over an idle event loop of the same
length, measured in this run, so the machine's noise shows as the idle row.

    .venv/bin/python bench/bench_page_open.py [THEME] [--no-prefetch] [--no-prebuild] [--pages=memory,ambient]

As in the app, the page modules are imported on a worker and the pages are then built hidden
(`desktop.prebuild`: while the person is idle); each page's row gives that build's stall too.
With --no-prebuild a page is built at its first click, with --no-prefetch its modules are
imported then as well.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlmodel import Session  # noqa: E402

from agent_core.chat.agent import ChatAgent  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.runs import Run, Step  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.patterns import PATTERNS, prefetch_pages  # noqa: E402
from desktop.theme import apply_theme  # noqa: E402
from memory.clock import utcnow  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap  # noqa: E402

BUDGET_MS = 50.0
WINDOW_MS = 1500
TURNS = [
    "My name is Ada and I live in Paris.",
    "I work as a nurse.",
    "Where do I live?",
    "我叫李雷，我住在上海。",
]


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def history(lab: Lab) -> None:
    agent = ChatAgent(lab, memory_mode="hot_path")
    conv = lab.conversations.create("default").id
    for i in range(12):
        agent.turn(conv, TURNS[i % len(TURNS)])
    now = utcnow()
    with Session(lab.engine) as s:
        for i in range(300):
            t = now - timedelta(seconds=300 - i)
            run = Run(kind="chat", title=f"turn {i}: what do you remember about me?", status="done")
            run.created_at, run.finished_at, run.latency_ms = t, t + timedelta(milliseconds=80), 80.0
            s.add(run)
            for seq, kind in enumerate(("human_input", "memory_read", "llm_call"), 1):
                s.add(Step(run_id=run.id, seq=seq, kind=kind, name=kind, status="done", started_at=t))
        s.commit()


def measure(action: object) -> float:
    probe = StallProbe(5)
    probe.start()
    QTimer.singleShot(0, action)  # type: ignore[arg-type]
    pump(WINDOW_MS)
    probe.stop()
    return probe.max_stall_ms


def main(theme: str = "light") -> None:
    favour_gui_thread()
    app = QApplication.instance() or QApplication([])
    apply_theme(app, theme)
    data = tempfile.mkdtemp(prefix="bench-pages-")
    lab = Lab(data, Settings(embedder="hash-256", sim=SimConfig.instant()), chroma_process=True)
    lab.warm_up()
    history(lab)
    ctx = LabContext(lab)
    state = QSettings(os.path.join(data, "window.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, initial="chat", window_state=state)
    win.resize(1024, 640)
    win.show()
    pump(1000)
    settle_heap()  # as the app does once its window is up
    if "--no-prefetch" not in sys.argv:
        prefetch = prefetch_pages()  # as the app does 1.5 s after start-up
        while prefetch.is_alive():
            pump(50)
    idle = measure(lambda: None)
    rows = [("(idle event loop)", idle, idle)]
    started = time.perf_counter()
    built: dict[str, float] = {}
    if "--no-prebuild" not in sys.argv:  # pages built while the person is idle, as the app does
        for entry in PATTERNS:
            if entry.key != "chat":
                built[entry.key] = measure(lambda key=entry.key: win.build_page(key))
    only = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--pages=")), None)
    for entry in PATTERNS[1:] + PATTERNS[:1]:
        if only and entry.key not in only:
            continue
        first = measure(lambda key=entry.key: win.show_page(key))
        win.show_page("chat" if entry.key != "chat" else "traces")
        pump(200)
        again = measure(lambda key=entry.key: win.show_page(key))
        rows.append(
            (entry.title + (f" (built {built[entry.key]:.0f})" if entry.key in built else ""), first, again)
        )
    elapsed = time.perf_counter() - started
    win.shutdown()
    ctx.close()
    lab.close()
    print(f"opening every page at 1024x640 ({theme}), 300 runs and a 12-turn conversation on disk, "
          f"{elapsed:.0f} s; worst GUI stall per page, 5 ms probe over {WINDOW_MS} ms")  # fmt: skip
    print(f"{'page':<28} {'first open':>11} {'again':>8} {'first/budget':>13} {'first/idle':>11}")
    for name, first, again in rows:
        print(
            f"{name:<28} {first:>8.1f} ms {again:>5.1f} ms {first / BUDGET_MS:>13.2f} {first / max(idle, 0.1):>11.1f}"
        )
    del app


if __name__ == "__main__":
    themes = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(themes[0] if themes else "light")
