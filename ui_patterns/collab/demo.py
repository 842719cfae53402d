"""A scripted run for `--screenshot --pattern collab`: two suggestions stream in and one is reviewed.

The screenshot then shows a suggestion card with its diff, the tracked-changes view and the history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui_patterns.collab.page import CollabPage


def run_demo(page: CollabPage, wait_until_idle: Callable[..., None]) -> None:
    """Fix the tone of §1 and summarise §3 as suggestions, then accept the summary."""
    page.run_action("fix_tone", page.section_target(0))
    summary = page.run_action("summarise", page.section_target(2))
    wait_until_idle(lambda: not page.runner.busy)
    if summary is not None and summary.sid is not None:
        page.accept(summary.sid)
    page.tabs.setCurrentWidget(page.suggestions)
    page.refresh()
