"""The Qt-free contract: registry, OpenAI tool definitions, validation and streamed-args parsing."""

from __future__ import annotations

import json

import pytest

from agent_core.genui.partial_json import parse_partial_json
from agent_core.genui.schemas import REGISTRY, get_spec, tool_definitions, validate
from ui_patterns.genui import samples

TOOLS = ["show_weather", "show_place", "show_comparison", "show_chart", "ask_form", "confirm_action"]


def test_registry_has_every_component() -> None:
    assert sorted(REGISTRY) == sorted(TOOLS)
    assert get_spec("ask_form").interactive and not get_spec("show_chart").interactive
    assert get_spec("nope") is None


def test_tool_definitions_use_chat_completions_format() -> None:
    definitions = tool_definitions()
    json.dumps(definitions)  # serialisable as sent on the wire
    assert [d["function"]["name"] for d in definitions] == list(REGISTRY)
    for definition in definitions:
        assert definition["type"] == "function"
        function = definition["function"]
        assert function["description"]
        assert function["parameters"]["type"] == "object"
        assert set(function["parameters"]["required"]) <= set(function["parameters"]["properties"])


@pytest.mark.parametrize(("tool_name", "args"), samples.CALLS)
def test_samples_are_valid(tool_name: str, args: dict) -> None:
    assert validate(tool_name, args) == []


@pytest.mark.parametrize(
    ("tool_name", "args", "expected"),
    [
        (
            "show_weather",
            {**samples.WEATHER, "temperature_c": "hot"},
            "temperature_c: expected a number, got 'hot'",
        ),
        (
            "show_weather",
            {**samples.WEATHER, "temperature_c": True},
            "temperature_c: expected a number, got true",
        ),
        ("show_weather", {"location": "Oslo", "temperature_c": 3}, "condition: required field is missing"),
        ("show_weather", {**samples.WEATHER, "low_c": 30}, "low_c: must not be above high_c (30 > 24)"),
        (
            "show_weather",
            {**samples.WEATHER, "forecast": [{"day": "Mon", "high_c": "x", "low_c": 1}]},
            "forecast[0].high_c: expected a number, got 'x'",
        ),
        ("show_place", {**samples.PLACE, "rating": 7}, "rating: must be at most 5, got 7"),
        ("show_place", {**samples.PLACE, "tags": "vegan"}, "tags: expected a list, got 'vegan'"),
        ("show_chart", {**samples.CHART, "kind": "pie"}, "kind: expected one of 'bar', 'line', got 'pie'"),
        (
            "show_chart",
            {**samples.CHART, "series": [{"name": "a", "values": [1, "2", 3, 4]}]},
            "series[0].values[1]: expected a number, got '2'",
        ),
        (
            "show_chart",
            {**samples.CHART, "series": [{"name": "a", "values": [1, 2]}]},
            "series[0].values: expected 4 values (one per label), got 2",
        ),
        (
            "show_comparison",
            {"columns": ["a", "b"], "rows": [["x", 1, 2]]},
            "rows[0]: expected 2 cells (one per column), got 3",
        ),
        (
            "ask_form",
            {"title": "t", "fields": [{"name": "c", "label": "C", "type": "choice"}]},
            "fields[0].options: a choice field needs at least one option",
        ),
        ("ask_form", {"title": "t", "fields": []}, "fields: needs at least 1 item(s), got 0"),
        (
            "confirm_action",
            {"title": "t", "message": "m", "danger": "yes"},
            "danger: expected true or false, got 'yes'",
        ),
        (
            "show_weather",
            ["not", "an", "object"],
            'arguments: expected an object, got ["not", "an", "object"]',
        ),
        ("show_nothing", {}, "unknown tool 'show_nothing'"),
    ],
)
def test_validate_names_the_field(tool_name: str, args: object, expected: str) -> None:
    assert expected in validate(tool_name, args)


def test_partial_only_checks_present_fields() -> None:
    assert validate("show_weather", {"location": "Par"}, partial=True) == []
    assert validate("show_weather", {"location": "Par"}) != []
    assert validate("show_chart", {"kind": "li", "series": [{"name": "a"}]}, partial=True) == []
    assert validate("show_chart", {"kind": "pi"}, partial=True) == [
        "kind: expected one of 'bar', 'line', got 'pi'"
    ]
    assert validate("show_weather", {"temperature_c": "hot"}, partial=True) == [
        "temperature_c: expected a number, got 'hot'"
    ]


def test_optional_null_is_accepted_but_required_null_is_missing() -> None:
    assert validate("show_weather", {**samples.WEATHER, "high_c": None}) == []
    assert validate("show_weather", {**samples.WEATHER, "location": None}) == [
        "location: required field is missing"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("[1, 2", None),
        ("{", {}),
        ('{"loc', {}),
        ('{"location": "Par', {"location": "Par"}),
        ('{"a": 1, "b": tr', {"a": 1}),
        ('{"a": [1, 2.', {"a": [1]}),
        ('{"a": [{"n": "x"}, {"n', {"a": [{"n": "x"}, {}]}),
        ('{"q": "say \\"hi', {"q": 'say "hi'}),
        ('{"a": 1}', {"a": 1}),
    ],
)
def test_parse_partial_json(text: str, expected: object) -> None:
    assert parse_partial_json(text) == expected


@pytest.mark.parametrize(("tool_name", "args"), samples.CALLS)
def test_every_prefix_of_valid_args_is_valid_partially(tool_name: str, args: dict) -> None:
    text = json.dumps(args, ensure_ascii=False)
    for end in range(len(text) + 1):
        parsed = parse_partial_json(text[:end])
        if parsed is not None:
            assert validate(tool_name, parsed, partial=True) == [], text[:end]
    assert parse_partial_json(text) == args
