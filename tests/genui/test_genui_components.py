"""Predefined components and the host: rendering, error cards, streaming, denied, raw JSON, elapsed time."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QToolButton, QWidget

from agent_core.genui.schemas import REGISTRY
from ui_patterns.genui import samples
from ui_patterns.genui.chart import ChartCanvas, nice_ticks
from ui_patterns.genui.components import COMPONENTS, ComponentState, FallbackCard, create_component
from ui_patterns.genui.host import ComponentHost, format_elapsed

Text = Callable[[QWidget], str]


def test_every_registered_tool_has_a_component() -> None:
    assert set(COMPONENTS) == set(REGISTRY)


@pytest.mark.parametrize(
    ("tool_name", "args", "expected"),
    [
        ("show_weather", samples.WEATHER, ["Lisbon", "21.5°C", "Partly cloudy", "Wed", "19° / 14°"]),
        ("show_place", samples.PLACE, ["鼎泰豐", "Taipei", "4.6", "$$", "小笼包", "Sat–Sun"]),
        ("show_comparison", samples.COMPARISON, ["Laptops", "Battery (h)", "1.24", "12.5", "✓", "✗"]),
        ("show_chart", samples.CHART, ["Memory recall@5", "fused"]),
        ("ask_form", samples.FORM, ["Book a table", "Name *", "Guests *", "Waiting for you"]),
        ("confirm_action", samples.CONFIRM, ["Delete 3 memories?", "Rua Augusta", "Waiting for you"]),
    ],
)
def test_component_renders_valid_args(
    qtbot, text_of: Text, tool_name: str, args: dict, expected: list[str]
) -> None:
    component = create_component(tool_name, args)
    qtbot.addWidget(component)
    shown = text_of(component)
    for fragment in expected:
        assert fragment in shown
    interactive = REGISTRY[tool_name].interactive
    assert component.state() == (ComponentState.WAITING if interactive else ComponentState.COMPLETE)
    assert component.errors() == []


def test_chart_canvas_gets_the_data_and_paints(qtbot) -> None:
    component = create_component("show_chart", samples.LINE_CHART)
    qtbot.addWidget(component)
    canvas = component.findChild(ChartCanvas)
    assert canvas.kind == "line"
    assert canvas.labels == samples.LINE_CHART["labels"]
    assert [name for name, _ in canvas.series] == ["simulator", "gpt"]
    component.resize(400, 300)
    assert not component.grab().isNull()


def test_nice_ticks_cover_the_range() -> None:
    assert nice_ticks(0, 0.79) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])
    ticks = nice_ticks(-3, 47)
    assert ticks[0] <= -3 and ticks[-1] >= 47
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]


@pytest.mark.parametrize(
    ("tool_name", "args", "field"),
    [
        ("show_weather", {"location": "Oslo", "temperature_c": "hot", "condition": "Fog"}, "temperature_c"),
        ("show_place", {"name": "Bar"}, "address"),
        ("show_comparison", {"columns": "a,b", "rows": []}, "columns"),
        (
            "show_chart",
            {"kind": "bar", "labels": ["a"], "series": [{"name": "s", "values": ["x"]}]},
            "series[0].values[0]",
        ),
        (
            "ask_form",
            {"title": "Form", "fields": [{"name": "n", "label": "N", "type": "colour"}]},
            "fields[0].type",
        ),
        ("confirm_action", {"title": 3, "message": "m"}, "title"),
        ("show_weather", "not json at all", "arguments"),
    ],
)
def test_malformed_args_show_an_error_card_naming_the_field(
    qtbot, text_of: Text, tool_name: str, args: object, field: str
) -> None:
    component = create_component(tool_name, args)
    qtbot.addWidget(component)
    assert component.state() == ComponentState.ERROR
    shown = text_of(component)
    assert "Could not render" in shown
    assert f"{field}:" in shown
    raw = component.findChild(QPlainTextEdit)
    assert raw.isVisibleTo(component)
    assert raw.toPlainText() == args if isinstance(args, str) else json.loads(raw.toPlainText()) == args


def test_partial_args_render_progressively(qtbot, text_of: Text) -> None:
    component = create_component("show_weather")
    qtbot.addWidget(component)
    assert component.state() == ComponentState.STREAMING
    component.set_args({"location": "Lis"}, partial=True)
    assert "Lis" in text_of(component)
    assert "temperature c …" in text_of(component)
    component.set_args({"location": "Lisbon", "temperature_c": 21.5}, partial=True)
    assert "21.5°C" in text_of(component) and "forecast …" in text_of(component)
    assert component.state() == ComponentState.STREAMING
    component.set_args(samples.WEATHER)
    assert component.state() == ComponentState.COMPLETE
    assert "…" not in text_of(component)


@pytest.mark.parametrize(("tool_name", "args"), samples.CALLS)
def test_streaming_every_chunk_never_shows_an_error(qtbot, tool_name: str, args: dict) -> None:
    host = ComponentHost(tool_name)
    qtbot.addWidget(host)
    states = []
    host.state_changed.connect(states.append)
    text = json.dumps(args, ensure_ascii=False)
    for end in range(1, len(text), 9):
        host.set_args_text(text[:end])
        assert host.state() == ComponentState.STREAMING, text[:end]
    host.set_args_text(text, complete=True)
    assert ComponentState.ERROR.value not in states
    assert host.state() in (ComponentState.COMPLETE, ComponentState.WAITING)


def test_invalid_json_at_the_end_is_an_error_card(qtbot, text_of: Text) -> None:
    host = ComponentHost("show_place")
    qtbot.addWidget(host)
    host.set_args_text('{"name": "Bar", "address": ', complete=True)
    assert host.state() == ComponentState.ERROR
    assert "arguments: invalid JSON" in text_of(host)
    assert host.chip_text() == "error"


def test_unknown_tool_gets_the_fallback_card(qtbot, text_of: Text) -> None:
    host = ComponentHost("lookup_company", {"domain": "example.com"})
    qtbot.addWidget(host)
    assert isinstance(host.component(), FallbackCard)
    assert host.state() == ComponentState.COMPLETE
    host.set_result({"employees": 120})
    shown = text_of(host)
    assert "lookup_company" in shown and '"domain": "example.com"' in shown
    assert "Result" in shown and '"employees": 120' in shown


def test_denied_state_is_final(qtbot, text_of: Text) -> None:
    host = ComponentHost("confirm_action", samples.CONFIRM)
    qtbot.addWidget(host)
    host.set_denied("needs approval")
    assert host.state() == ComponentState.DENIED
    assert host.chip_text() == "denied"
    assert "Denied" in text_of(host) and "needs approval" in text_of(host)
    host.set_args(samples.CONFIRM)
    assert host.state() == ComponentState.DENIED


def test_host_elapsed_time_freezes_when_settled(qtbot, clock) -> None:
    host = ComponentHost("show_weather", clock=clock)
    qtbot.addWidget(host)
    assert host.chip_text() == "streaming"
    clock.now += 2.5
    host.set_args({"location": "Lisbon"}, partial=True)
    assert host.elapsed_text() == "2.5 s"
    clock.now += 1.0
    host.set_args(samples.WEATHER)
    assert host.chip_text() == "complete"
    clock.now += 60
    assert host.elapsed() == pytest.approx(3.5)


def test_format_elapsed() -> None:
    assert [format_elapsed(s) for s in (0.42, 12.4, 75)] == ["0.4 s", "12 s", "1 m 15 s"]


def test_raw_json_toggle(qtbot) -> None:
    host = ComponentHost("show_weather", samples.WEATHER)
    qtbot.addWidget(host)
    host.show()
    raw = host.findChild(QPlainTextEdit, "rawJson")
    assert not host.raw_visible()
    qtbot.mouseClick(host.findChild(QToolButton, "rawToggle"), Qt.MouseButton.LeftButton)
    assert host.raw_visible() and not host.component().isVisible()
    assert json.loads(raw.toPlainText()) == samples.WEATHER
    host.show_raw(False)
    assert not host.raw_visible() and host.component().isVisible()


def test_long_text_wraps_instead_of_widening(qtbot) -> None:
    long_name = "非常长的地方名字" * 12 + " " + "x" * 200
    component = create_component("show_place", {"name": long_name, "address": "a " * 100})
    qtbot.addWidget(component)
    assert component.minimumSizeHint().width() < 400
