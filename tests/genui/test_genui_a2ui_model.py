"""The Qt-free A2UI host model: JSON Pointer, surfaces, bindings, checks, actions, streamed JSONL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from agent_core.genui.a2ui import (
    A2UIProcessor,
    JsonlBuffer,
    action_message,
    check_errors,
    join_pointer,
    pointer_get,
    pointer_set,
    resolve,
)
from agent_core.genui.a2ui_catalog import CATALOG_ID, catalog, supported, tool_definition
from ui_patterns.genui import samples


def test_json_pointer_reads_writes_and_removes() -> None:
    doc = {"a/b": {"~x": [1, 2]}, "list": [{"name": "Ada"}]}
    assert pointer_get(doc, "/a~1b/~0x/1") == 2
    assert pointer_get(doc, "/list/0/name") == "Ada"
    assert pointer_get(doc, "/list/5/name", "?") == "?" and pointer_get(doc, "/nope/deeper") is None
    doc = pointer_set(doc, "/user/address/city", "Lisbon")  # objects created on the way
    assert doc["user"] == {"address": {"city": "Lisbon"}}
    doc = pointer_set(doc, "/list/-", {"name": "Bob"})
    assert [p["name"] for p in doc["list"]] == ["Ada", "Bob"]
    doc = pointer_set(doc, "/user/address")  # no value: removed
    assert doc["user"] == {}
    assert pointer_set(doc, "/", {"fresh": True}) == {"fresh": True}
    assert join_pointer("/items/2", "name") == "/items/2/name" and join_pointer("/items/2", "/top") == "/top"


def test_processor_builds_surfaces_and_reports_bad_messages_in_the_spec_format() -> None:
    processor = A2UIProcessor()
    messages = [json.loads(line) for line in samples.a2ui_booking_jsonl("s1").splitlines()]
    assert processor.apply_all(messages) == ["s1"]
    surface = processor.surfaces["s1"]
    assert surface.catalog_id == CATALOG_ID
    assert surface.root()["children"][0] == "title"
    assert {"name", "guests", "time", "day", "slots", "book"} <= set(surface.components)
    assert surface.get("/booking/guests") == 4 and len(surface.get("/slots")) == 5
    assert processor.errors == []
    for bad in (
        {"updateComponents": {"surfaceId": "ghost", "components": [{"id": "root", "component": "Text"}]}},
        {"createSurface": {"surfaceId": "s1", "catalogId": CATALOG_ID}},
        {"createSurface": {"surfaceId": "s2"}, "deleteSurface": {"surfaceId": "s2"}},
        {"version": "v0.7", "deleteSurface": {"surfaceId": "s1"}},
        {"updateComponents": {"surfaceId": "s1", "components": [{"component": "Text"}]}},
        "not an object",
    ):
        assert processor.apply(bad) in (None, "s1")
    assert len(processor.errors) == 6
    error = processor.errors[0].to_message()
    assert error["error"]["code"] == "VALIDATION_FAILED" and error["error"]["surfaceId"] == "ghost"
    assert error["error"]["path"] == "/updateComponents/surfaceId"
    processor.apply({"deleteSurface": {"surfaceId": "s1"}})
    assert surface.deleted
    assert processor.apply({"createSurface": {"surfaceId": "s1", "catalogId": CATALOG_ID}}) == "s1"


def test_bindings_resolve_in_scope_and_format_strings() -> None:
    data = {"company": "Acme", "people": [{"name": "Ada", "seats": 2}, {"name": "Bob", "seats": 4}]}
    assert resolve({"path": "name"}, data, "/people/1") == "Bob"  # relative to a template item
    assert resolve({"path": "/company"}, data, "/people/1") == "Acme"  # absolute ignores the scope
    fmt = {"call": "string_format", "args": {"value": "${name} at ${/company}: ${seats} seats, \\${literal}"}}
    assert resolve(fmt, data, "/people/0") == "Ada at Acme: 2 seats, ${literal}"
    assert resolve({"call": "rm_rf"}, data) is None  # unknown functions never run anything
    assert resolve({"a": {"path": "/company"}, "b": [1, {"path": "/people/0/name"}]}, data) == {
        "a": "Acme",
        "b": [1, "Ada"],
    }


def test_checks_use_the_components_own_value_or_their_args() -> None:
    field = {
        "value": {"path": "/email"},
        "checks": [
            {"call": "required", "message": "Email is required."},
            {"call": "email", "message": "Not an email."},
        ],
    }
    assert check_errors(field, {}) == ["Email is required.", "Not an email."]
    assert check_errors(field, {"email": "ada@example.org"}) == []
    button = {"checks": [{"and": [{"call": "required", "args": {"value": {"path": "/n"}}}], "message": "no"}]}
    assert check_errors(button, {"n": ""}) == ["no"] and check_errors(button, {"n": "x"}) == []
    guests = {
        "value": {"path": "/g"},
        "checks": [{"call": "numeric", "args": {"min": 1, "max": 12}, "message": "m"}],
    }
    assert check_errors(guests, {"g": 0}) == ["m"] and check_errors(guests, {"g": 4}) == []


def test_action_message_resolves_its_context() -> None:
    processor = A2UIProcessor()
    processor.apply_all(json.loads(line) for line in samples.a2ui_booking_jsonl("s1").splitlines())
    surface = processor.surfaces["s1"]
    surface.set("/booking/name", "Ada")
    book = surface.components["book"]
    when = datetime(2026, 5, 1, 19, 30, tzinfo=UTC)
    message = action_message(surface, "book", book["action"], now=when)
    assert message["version"] == "v0.9"
    action = message["action"]
    assert action["name"] == "book_table" and action["surfaceId"] == "s1"
    assert action["sourceComponentId"] == "book" and action["timestamp"] == "2026-05-01T19:30:00Z"
    assert action["context"]["name"] == "Ada" and action["context"]["guests"] == 4
    assert action["context"]["time"] == ["20:00"]


def test_jsonl_buffer_yields_each_complete_line_once() -> None:
    text = samples.a2ui_booking_jsonl("s1")
    buffer, seen = JsonlBuffer(), []
    for end in range(0, len(text), 37):  # arrives in arbitrary pieces
        seen += buffer.feed(text[:end])
    seen += buffer.feed(text, done=True)
    assert seen == [json.loads(line) for line in text.splitlines()]
    assert JsonlBuffer().feed('{"a": 1}\n{broken\n', done=True) == [{"a": 1}]


def test_catalog_names_the_predefined_components_and_the_tool() -> None:
    document = catalog()
    assert document["catalogId"] == CATALOG_ID
    assert {"Weather", "Place", "Comparison", "Chart", "TextField", "Button", "List"} <= set(
        document["components"]
    )
    assert document["components"]["Place"]["required"] == ["component", "name", "address"]
    assert supported() == frozenset(document["components"])
    assert tool_definition()["function"]["name"] == "render_a2ui"
