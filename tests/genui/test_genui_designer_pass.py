"""Issue 19, designer pass of the Generative UI page: fits 1024x640, forms with hints, defaults and a
way out, answers in words, Markdown rendered safely, and a transcript that never scrolls into blank."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QScrollArea

from ui_patterns.genui import samples
from ui_patterns.genui.base import ComponentState
from ui_patterns.genui.bubble import MessageBubble
from ui_patterns.genui.interactive import FormCard
from ui_patterns.genui.page import EXAMPLES

# 1024x640 minus the shell's navigation, header, menu and status bar
HOST_WIDTH, HOST_HEIGHT = 1024 - 184, 640 - 110


@pytest.fixture
def page(lab, qtbot) -> Iterator:  # noqa: ANN001
    from ui_patterns.common.context import LabContext
    from ui_patterns.common.workers import active_workers
    from ui_patterns.genui.page import GenUIPage

    ctx = LabContext(lab)
    ctx.set_profile("ada")
    view = GenUIPage(ctx)
    view.memory_mode = "off"
    view.chunk_delay = 0.0
    qtbot.addWidget(view)
    view.resize(HOST_WIDTH, HOST_HEIGHT)
    view.show()
    yield view
    view.shutdown()
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    ctx.close()


def ask(page, qtbot, text: str) -> None:  # noqa: ANN001
    assert page.ask(text)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)


def booking_form(page, qtbot) -> FormCard:  # noqa: ANN001
    ask(page, qtbot, "Book a table for 4 at a tapas bar")
    form = next(c for c in page.calls() if c.tool_name == "ask_form").host().component()
    assert isinstance(form, FormCard) and form.state() == ComponentState.WAITING
    return form


def test_page_fits_1024x640_without_horizontal_scroll(page) -> None:  # noqa: ANN001
    """The mode switch and the example chips forced ~1,325 px; the chips now wrap."""
    assert page.minimumSizeHint().width() <= HOST_WIDTH
    assert page.minimumSizeHint().height() <= HOST_HEIGHT
    QApplication.processEvents()
    chips = page.findChildren(QPushButton, "example")
    assert len(chips) == len(EXAMPLES)
    for chip in chips:
        assert chip.isVisible()
        right = chip.mapTo(page, QPoint(chip.width(), 0)).x()
        assert right <= page.width(), chip.text()  # wrapped onto another line, never cut
    for name, args in samples.CALLS:
        page.add_tool_call(name, json.dumps(args))
    for mode in (0, 1, 2):
        page.set_mode(mode)
        QApplication.processEvents()
        assert page.minimumSizeHint().width() <= HOST_WIDTH, mode
    # once the transcript has content the chips give their room to it; a menu keeps the examples
    assert not any(chip.isVisible() for chip in chips) and page.examples_button.isVisible()


def test_form_prefills_defaults_and_shows_placeholders_as_hints(page, qtbot) -> None:  # noqa: ANN001
    form = booking_form(page, qtbot)
    guests = form.body().findChild(QLineEdit, "field_guests")
    name = form.body().findChild(QLineEdit, "field_name")
    assert guests.text() == "4"  # the number the user asked for is a value, not a grey "4"
    assert guests.placeholderText() != "4"
    assert name.text() == "" and name.placeholderText().startswith("e.g.")
    qtbot.keyClicks(name, "Ada")
    with qtbot.waitSignal(form.responded, timeout=2000) as blocker:
        form.submit()
    assert blocker.args[0]["values"]["guests"] == 4


def test_answer_shows_in_words_with_the_json_in_a_tooltip(page, qtbot) -> None:  # noqa: ANN001
    form = booking_form(page, qtbot)
    qtbot.keyClicks(form.body().findChild(QLineEdit, "field_name"), "Ada")
    form.submit()
    qtbot.waitUntil(lambda: any(t.startswith("Booked") for t in page.transcript()), timeout=10_000)
    [answer] = [b for b in page.bubbles() if b.kind == "answer"]
    assert "{" not in answer.source()
    assert "Guests: 4" in answer.source() and "Name: Ada" in answer.source() and "20:00" in answer.source()
    assert '"guests": 4' in answer.toolTip()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)


@pytest.mark.parametrize("how", ["card", "page"])
def test_a_waiting_form_can_be_cancelled_or_skipped(page, qtbot, how: str) -> None:  # noqa: ANN001
    form = booking_form(page, qtbot)
    assert not page.input.isEnabled()
    assert page.skip_button.isVisible()
    button = form.body().findChild(QPushButton, "cancel") if how == "card" else page.skip_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert form.state() == ComponentState.ANSWERED
    qtbot.waitUntil(lambda: any("not booked anything" in t for t in page.transcript()), timeout=10_000)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert page.input.isEnabled() and not page.skip_button.isVisible()
    [answer] = [b for b in page.bubbles() if b.kind == "answer"]
    assert answer.source().endswith("cancelled" if how == "card" else "skipped")


def test_agent_markdown_is_rendered_and_nothing_active_survives(qtbot) -> None:  # noqa: ANN001
    text = (
        "**Two** options:\n\n- `tapas`\n- pintxos\n\n"
        "![tracker](http://evil.example/pixel.png) ![local](file:///etc/passwd) "
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    bubble = MessageBubble(text, "agent")
    qtbot.addWidget(bubble)
    assert bubble.textFormat() == Qt.TextFormat.RichText
    shown = bubble.text()
    assert "font-weight" in shown and "<li" in shown  # bold and a list, not "**" and "- "
    assert "**" not in shown
    assert "<img" not in shown and "href" not in shown and "javascript" not in shown.lower()
    assert "tracker" in shown and "local" in shown  # images become their alt text
    assert not bubble.openExternalLinks()
    assert bubble.source() == text
    user = MessageBubble("**not markdown**", "user")
    qtbot.addWidget(user)
    assert user.textFormat() == Qt.TextFormat.PlainText


def _blank_below_last(page) -> int:  # noqa: ANN001
    """Pixels of the viewport below the last widget, scrolled to the end (0 while all of it fits)."""
    scroll = page.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    if bar.maximum() == 0:
        return 0  # a short transcript: the space below it is simply not used yet
    stream = page._stream  # noqa: SLF001 - the transcript layout
    last = stream.itemAt(stream.count() - 2).widget()
    bottom = last.mapTo(scroll.viewport(), QPoint(0, last.height())).y()
    return scroll.viewport().height() - bottom


def test_transcript_is_never_blank_after_many_turns_resizes_and_theme_toggles(page, qtbot) -> None:  # noqa: ANN001
    from desktop.theme import apply_theme

    prompts = [
        "What's the weather in Lisbon?",
        "Compare the Pixel and the iPhone",
        "Plot my weekly steps",
        "Hello there",
        "Find a tapas bar",
        "What's the weather in Oslo?",
        "Delete my account",
        "Plot my steps",
        "hi",
        "What's the weather in Rome?",
        "Compare the A and the B",
    ]
    app = QApplication.instance()
    try:
        for index, text in enumerate(prompts):
            ask(page, qtbot, text)
            page.skip_waiting()
            qtbot.waitUntil(lambda: not page.running, timeout=10_000)
            if index % 3 == 1:
                apply_theme(app, "dark" if index % 2 else "light")
            page.resize(HOST_WIDTH + (300 if index % 4 == 2 else 0), HOST_HEIGHT)
            QApplication.processEvents()
            bar = page.findChild(QScrollArea).verticalScrollBar()
            assert bar.value() == bar.maximum(), index  # the newest message is in view by itself
            blank = _blank_below_last(page)
            assert blank <= 2 * 8 + 2, (index, blank)  # only the layout's spacing below the last bubble
    finally:
        apply_theme(app, "light")
