"""Screenshots of the ambient page: the inbox with a review open, and the timeline with a fork.

Usage: `QT_QPA_PLATFORM=offscreen python -m ui_patterns.ambient.screenshots OUT_DIR` (at 1360×820,
and at 830×560, the page's share of a 1024×640 window, as `*_1024.png`).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from agent_core.ambient import CalendarSource, EmailSource
from agent_core.lab import Lab
from agent_core.runtime.settings import Settings
from agent_core.simulator import SimConfig
from ui_patterns.ambient.page import AmbientPage
from ui_patterns.common import LabContext


def _settle(app: QApplication, page: AmbientPage, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
        if page.controller.idle():
            app.processEvents()
            time.sleep(0.2)
            app.processEvents()
            if page.controller.idle():
                return


def main(out_dir: str, width: int = 1360, height: int = 820, suffix: str = "") -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    lab = Lab(Path(tempfile.mkdtemp()), Settings(embedder="hash-256", sim=SimConfig.instant()))
    lab.warm_up()
    ctx = LabContext(lab)
    emails = {e.id: e for e in EmailSource().events()}
    picks = [emails[k] for k in ("e001", "e011", "e019", "e032", "e040", "e050", "e058")]
    page = AmbientPage(ctx, events=[])
    page.resize(width, height)
    page.show()
    for e in [*picks, CalendarSource().events()[0]]:
        page.controller.deliver(e)
    _settle(app, page)
    page.refresh_inbox()
    page.refresh_chart()
    review = next(i for i in page.controller.items() if i.kind == "review" and i.agent == "scheduler")
    page.inbox.view.setCurrentIndex(page.inbox.model.index(page.inbox.model.row_of(review.id)))
    app.processEvents()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(out / f"ambient_inbox{suffix}.png"))
    note = next(i for i in page.controller.items() if i.event_id == "e001")
    hub = page.controller.hub
    mem = next(s for s in hub.runs() if s.id == note.run_id)
    fork = hub.rewind(mem.id, 2, instruction="Always ignore newsletters.")
    hub.continue_run(fork)
    page.tabs.setCurrentIndex(1)
    page.refresh_runs()
    page.show_run_now(fork)
    page.timeline.steps.selectRow(2)
    app.processEvents()
    page.grab().save(str(out / f"ambient_timeline{suffix}.png"))
    page.shutdown()
    ctx.close()
    lab.close()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "assets/screenshots"
    main(target)
    main(target, 830, 560, "_1024")  # the page's share of a 1024×640 window
