"""GUI-thread stalls while the chat page streams replies at 200 tokens/s with background memory on.

Prints p50/p99/max stall (ms) measured by a 5 ms StallProbe from each reply's first token to its
end, and the ratio of the worst stall to the 50 ms budget (< 1.0 is within budget).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_chat_stall.py [rounds]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from agent_core.lab import Lab  # noqa: E402
from agent_core.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.chat import ChatPage, demo_script  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap  # noqa: E402

BUDGET_MS = 50.0


def wait_until(pred: Callable[[], bool], timeout_ms: int = 10_000) -> None:
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: pred() and loop.quit())
    poll.start(1)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def main(rounds: int = 3) -> None:
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication([])
    settings = Settings(
        embedder="hash-256",
        sim=SimConfig(ttft_ms=0.0, tokens_per_s=200.0),
        debounce_s=0.05,
        memory_mode="background",
    )
    lab = Lab(tempfile.mkdtemp(prefix="bench-chat-"), settings, chroma_process=True)  # as the app
    lab.warm_up()
    ctx = LabContext(lab)
    page = ChatPage(ctx)
    page.resize(1000, 760)
    page.show()
    probe = StallProbe(5)
    settle_heap()  # as the app does once its window is up
    samples: list[float] = []
    for _ in range(rounds):
        for text in demo_script(page):
            turn = page.send(text)
            assert turn is not None
            wait_until(lambda t=turn: bool(t.assistant_bubble.text()))
            probe.start()
            wait_until(lambda: not page.runner.running)
            probe.stop()
            samples += probe.samples
    page.shutdown()
    wait_until(lambda: False, 300)
    ctx.close()
    lab.close()
    s = sorted(samples)

    def pct(p: float) -> float:
        return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0

    print(f"chat stall over {len(s)} ticks, {rounds * len(demo_script())} streamed replies at 200 tok/s")
    print(f"p50 {pct(50):.1f} ms  p99 {pct(99):.1f} ms  max {pct(100):.1f} ms")
    print(f"max / budget ({BUDGET_MS:.0f} ms) = {pct(100) / BUDGET_MS:.2f}")
    del app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
