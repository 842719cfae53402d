"""GUI-thread stalls through a chat session: replies streamed at 200 tokens/s, background memory on.

The probe (a 5 ms timer measuring its own lateness) runs for the whole session: every send, every
streamed reply (Markdown re-rendered as it grows, three long-form answers with code blocks), the
memory steps, and the background memory work landing after the last turn.
Prints p50/p99/max stall (ms) and the worst stall over the 50 ms budget (< 1.0 is within budget).

    .venv/bin/python bench/bench_chat_stall.py [ROUNDS]
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
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.chat import ChatPage  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap, wait_until  # noqa: E402

BUDGET_MS = 50.0
SCRIPT = [
    "My name is Ada and I live in Paris.",
    "Explain how to plan a product launch step by step",
    "Where do I live?",
    "我叫李雷，我住在上海。",
    "How do I write a good bug report?",
    "请解释如何学习中文",
]


def main(rounds: int = 2) -> None:
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication([])
    settings = Settings(
        embedder="hash-256",
        sim=SimConfig(ttft_ms=150.0, tokens_per_s=200.0),
        debounce_s=0.5,
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
    probe.start()
    started = time.perf_counter()
    tokens = 0
    for _ in range(rounds):
        for text in SCRIPT:
            turn = page.send(text)
            assert turn is not None
            wait_until(lambda: not page.runner.running)
            tokens += len(turn.assistant_bubble.text().split())
    wait_until(lambda: not lab.background.pending(), 20_000)  # background memory lands
    wait_until(lambda: False, 300)
    probe.stop()
    elapsed = time.perf_counter() - started
    page.shutdown()
    ctx.close()
    lab.close()
    s = sorted(probe.samples)

    def pct(p: float) -> float:
        return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0

    print(f"chat session: {rounds * len(SCRIPT)} turns in {elapsed:.1f} s, replies streamed at 200 tok/s "
          f"(~{tokens} words), background memory on, {len(s)} probe ticks of 5 ms")  # fmt: skip
    print(f"p50 {pct(50):.1f} ms  p99 {pct(99):.1f} ms  max {pct(100):.1f} ms")
    print(f"max / budget ({BUDGET_MS:.0f} ms) = {pct(100) / BUDGET_MS:.2f}")
    del app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
