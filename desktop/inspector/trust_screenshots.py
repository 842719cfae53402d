"""Screenshots of the trust tabs: `python -m desktop.inspector.trust_screenshots [OUT_DIR]`.

Builds a throwaway lab, plays a short conversation, and grabs the time-travel tab, the contradiction
workbench and a feedback diff (offscreen: QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from agent_core.chat.agent import ChatAgent
    from agent_core.lab import Lab
    from agent_core.memlab.contradictions import plot, run_workbench
    from agent_core.runtime.settings import Settings
    from agent_core.simulator import SimConfig
    from desktop.inspector import MemoryInspector
    from ui_patterns.common.context import LabContext

    app = QApplication.instance() or QApplication(sys.argv)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        lab = Lab(Path(tmp), Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.05))
        lab.warm_up()
        agent = ChatAgent(lab, "ada", memory_mode="hot_path")
        conv = lab.conversations.create("ada").id
        for text in ("My name is Ada.", "I live in Paris.", "I work as a teacher.", "I love hiking."):
            agent.turn(conv, text)
        agent.turn(conv, "I moved to Berlin.")
        agent.turn(conv, "I work as a nurse now.")
        last = agent.turn(conv, "Where do I live?")
        ctx = LabContext(lab)
        ctx.set_profile("ada")
        page = MemoryInspector(ctx)
        page.resize(1100, 600)
        page.show()
        tabs = page.trust_tabs

        _wait(app, tabs.timetravel.loaded, lambda: page.tabs.setCurrentWidget(tabs.timetravel))
        tabs.timetravel.show_turn(5)
        tabs.timetravel.compare_spin.setValue(3)
        app.processEvents()
        page.grab().save(str(out / "trust_timetravel.png"))

        report = run_workbench()
        page.tabs.setCurrentWidget(tabs.contradictions)
        tabs.contradictions.show_report(report, plot(report, Path(tmp) / "c.png").read_bytes())
        app.processEvents()
        page.grab().save(str(out / "trust_contradictions.png"))

        lab.feedback(
            last.message_id,
            -1,
            "you got that wrong",
            correction="I live in Hamburg.",
            profile="ada",
            auto_accept=False,
        )
        _wait(app, tabs.feedback.loaded, lambda: page.tabs.setCurrentWidget(tabs.feedback))
        app.processEvents()
        page.grab().save(str(out / "trust_feedback_diff.png"))
        page.shutdown()
        page.close()
        ctx.close()
        lab.close()
        print(report.table())


def _wait(app: object, signal: object, trigger: Callable[[], object]) -> None:
    """Run `trigger` and spin the event loop until `signal` fires (a worker finished)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(lambda *_a: loop.quit())  # type: ignore[attr-defined]
    QTimer.singleShot(10_000, loop.quit)
    trigger()
    loop.exec()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("assets/screenshots"))
