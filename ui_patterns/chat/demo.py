"""A scripted conversation for screenshots and demos (the shell's `--screenshot` calls this).

`demo_script(page)` only returns the messages, so the caller decides how to wait (qtbot, an event
loop, a timer); `run_demo(page, wait)` sends them one by one and expands the first memory step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui_patterns.chat.page import ChatPage

DEMO_MESSAGES = [
    "My name is Ada and I live in Paris.",
    "Where do I live?",
    "我叫李雷，我住在上海。",
    "Explain how to plan a product launch step by step",
]


def demo_script(page: ChatPage | None = None) -> list[str]:
    """The messages a demo sends, in order (no Qt needed to read them)."""
    return list(DEMO_MESSAGES)


def run_demo(page: ChatPage, wait_until_idle: Callable[[Callable[[], bool]], None]) -> None:
    """Send the script, waiting after each message with `wait_until_idle(predicate)`."""
    background = page.ctx.lab.background
    for text in demo_script(page):
        page.send(text)
        wait_until_idle(lambda: not page.runner.running)
        # background memory lands after the conversation idles: wait, so the next turn can recall it
        wait_until_idle(lambda: not background.pending(page.ctx.profile))
    for turn in page.turns():
        row = turn.steps.rows.get("recalled")
        if row is not None and "recalled 0" not in row.title():
            row.set_expanded(True)
            page.transcript().ensureWidgetVisible(turn, 0, 200)
            break
