"""The generative-UI page: simulator tool calls become components; forms round-trip; bad data never crashes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ui_patterns.genui.base import ComponentState
from ui_patterns.genui.cards import WeatherCard
from ui_patterns.genui.interactive import FormCard


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
    view.resize(1100, 800)
    yield view
    view.shutdown()
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    ctx.close()


def ask(page, qtbot, text: str) -> None:  # noqa: ANN001
    assert page.ask(text)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)


def test_weather_question_renders_a_weather_card(page, qtbot) -> None:  # noqa: ANN001
    ask(page, qtbot, "What's the weather in Lisbon?")
    [call] = page.calls()
    component = call.host().component()
    assert isinstance(component, WeatherCard)
    assert component.state() == ComponentState.COMPLETE
    assert component.args()["location"] == "Lisbon"
    assert any("Lisbon" in line for line in page.transcript())


def test_form_round_trips_its_values_to_the_agent(page, qtbot) -> None:  # noqa: ANN001
    ask(page, qtbot, "Book a table for 4 at a tapas bar")
    form_call = next(c for c in page.calls() if c.tool_name == "ask_form")
    form = form_call.host().component()
    assert isinstance(form, FormCard)
    assert form.state() == ComponentState.WAITING
    assert not page.input.isEnabled()  # the run is paused until the card is answered
    assert not page.ask("something else")
    inputs = {str(f.get("name")): w for f, w, _ in form._fields}  # noqa: SLF001 - drive the real inputs
    inputs["name"].setText("Ada")
    inputs["guests"].setText("4")
    inputs["time"].setCurrentText("20:00")
    form.submit()
    assert form.state() == ComponentState.ANSWERED
    qtbot.waitUntil(lambda: any(t.startswith("Booked") for t in page.transcript()), timeout=10_000)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    reply = next(t for t in page.transcript() if t.startswith("Booked"))
    assert "4" in reply and "Ada" in reply and "20:00" in reply
    assert page.input.isEnabled()


def test_malformed_component_data_shows_an_error_card(page, qtbot) -> None:  # noqa: ANN001
    ask(page, qtbot, "Show me a broken card")
    [call] = page.calls()
    assert call.host().state() == ComponentState.ERROR
    assert any("temperature_c" in e for e in call.host().component().errors())
    bad_json = page.add_tool_call("show_chart", '{"kind": "bar", "labels": [')
    assert bad_json.host().state() == ComponentState.ERROR
    assert "invalid JSON" in bad_json.host().component().errors()[0]


def test_script_tags_are_sanitized_in_the_freeform_view(page) -> None:  # noqa: ANN001
    page.set_mode(2)
    call = page.add_tool_call(
        "show_weather",
        '{"location": "<script>alert(1)</script>Lisbon", "temperature_c": 20, "condition": "<b onclick=x()>Sun</b>"}',
    )
    markup = call.freeform().markup().lower()
    assert "<script" not in markup and "<b onclick" not in markup
    assert "&lt;script&gt;" in markup  # shown as text, never run
    assert "lisbon" in call.freeform().toPlainText().lower()
    call.freeform().set_markup('<p onclick="x()">Hi</p><script>alert(1)</script><img src="http://x/y.png">')
    assert "script" not in call.freeform().markup() and "onclick" not in call.freeform().markup()
    assert call.host().isVisibleTo(page) and call.freeform().isVisibleTo(page)
    page.set_mode(1)
    assert not call.host().isVisibleTo(page) and call.freeform().isVisibleTo(page)


def test_confirmation_cancel_is_acknowledged(page, qtbot) -> None:  # noqa: ANN001
    ask(page, qtbot, "Delete my account")
    [call] = page.calls()
    call.host().component().cancel()
    qtbot.waitUntil(lambda: any("nothing was changed" in t for t in page.transcript()), timeout=10_000)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
