"""A scripted run for `--screenshot --pattern ambient`: a live inbox, a fork, an answer with Undo.

`AGENT_UX_AMBIENT_DEMO` picks what the picture shows: `inbox` (default: an item just answered,
its confirmation with Undo, the next item selected, triage paused with events held in the chart),
`timeline` (the runs with a fork, the fork's steps), or `empty` / `empty-timeline` (no events).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent_core.ambient import CalendarSource, EmailSource

if TYPE_CHECKING:
    from ui_patterns.ambient.page import AmbientPage

PICKS = ("e001", "e011", "e019", "e032", "e040", "e050", "e058")
HELD = ("e002", "e003", "e012")  # arrive while triage is paused


def run_demo(page: AmbientPage, wait_until: Callable[..., None]) -> None:
    mode = os.environ.get("AGENT_UX_AMBIENT_DEMO", "inbox")
    if mode.startswith("empty"):
        page.tabs.setCurrentIndex(1 if mode == "empty-timeline" else 0)
        page.refresh_runs()
        return
    c = page.controller
    emails = {e.id: e for e in EmailSource().events()}
    for k in PICKS:
        c.deliver(emails[k])
    c.deliver(CalendarSource().events()[0])
    wait_until(c.idle)
    newsletter = next((i for i in c.items() if i.event_id == "e001"), None)
    if newsletter is not None:  # rewind the newsletter's run to its memory read, with a rule
        c.rewind(newsletter.run_id, newsletter.agent, 2, None, "Always ignore newsletters.")
        wait_until(c.idle)
    if mode == "timeline":
        page.tabs.setCurrentIndex(1)
        page.refresh_runs()
        fork = next((r for r in c.hub.runs() if r.parent_run_id), None)
        if fork is not None:
            page.show_run_now(fork.id)
            page.timeline.steps.selectRow(2)
        page.refresh_chart()
        return
    c.pause("triage")
    for k in HELD:
        c.deliver(emails[k])
    wait_until(lambda: c.idle() and c.status("triage") == "paused")
    page.refresh_inbox()
    page.refresh_chart()
    first = page.inbox.model.item(0)
    if first is not None and page.inbox.select_id(first.id):
        page.detail.reply.setText("Thanks, noted.")
        page.detail.respond_btn.click()  # as a person would: confirmation, Undo, the next item
