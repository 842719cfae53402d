"""A scripted generative-UI session for screenshots (the shell's `--screenshot` calls `run_demo`).

It asks for a weather card, books a table with the predefined form (filled in and submitted like a
person would: an answered form, the answer in words, Markdown), then asks for the same booking as an
A2UI surface, types a name into it and scrolls to it: a form, a list bound to data and buttons.
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
    page.ask("Book a table for 2 with A2UI")
    wait_until(lambda: not page.running)
    for view in page.a2ui_calls()[-1].surfaces():
        field = view.part("name")
        line = field.findChild(QLineEdit) if field is not None else None
        if line is not None:
            line.setText("Ada")
            line.textEdited.emit("Ada")  # as if typed: the binding writes the data model
        page.show_widget(view)
