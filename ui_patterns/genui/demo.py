"""A scripted generative-UI session for screenshots (the shell's `--screenshot` calls `run_demo`).

It asks for a weather card, then books a table: the form is filled in and submitted like a person
would, so the picture shows a component, an answered form, the answer in words and Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit

if TYPE_CHECKING:
    from ui_patterns.genui.page import GenUIPage

Wait = Callable[[Callable[[], bool]], None]


def run_demo(page: GenUIPage, wait_until: Wait) -> None:
    """Ask, wait, answer the form, wait for the agent's reply."""
    page.memory_mode = "off"
    page.chunk_delay = 0.0
    for text in ("What's the weather in Lisbon?", "Book a table for 4 at a tapas bar"):
        page.ask(text)
        wait_until(lambda: not page.running)
    for call in page.waiting_calls():
        form = call.host().component()
        name = form.body().findChild(QLineEdit, "field_name")
        if name is not None:
            name.setText("Ada")
        submit = getattr(form, "submit", None)
        if callable(submit):
            submit()
    wait_until(lambda: not page.running and not page.waiting_calls())
