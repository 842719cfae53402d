"""A2UI v0.9 on the wire: what the simulator sends validates against the protocol's envelope, and
what the host sends back (`action`, `error`) has the shape the protocol's client-to-server schema asks.

The schemas below are written from the v0.9 specification (server_to_client.json and
client_to_server.json: message kinds, required fields, no extra keys), not fetched: tests run offline.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from agent_core.genui.a2ui import A2UIProcessor, action_message
from agent_core.genui.sim import (
    A2UI_CATALOG_ID,
    a2ui_booked,
    a2ui_booking,
    a2ui_jsonl,
    place_args,
)

_SURFACE = {"surfaceId": {"type": "string"}}
_VERSION = {"version": {"enum": ["v0.9", "v0.9.1"]}}


def _message(kind: str, body: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {
            **_VERSION,
            kind: {
                "type": "object",
                "properties": {**_SURFACE, **body},
                "required": ["surfaceId", *required],
                "additionalProperties": False,
            },
        },
        "required": [kind],
        "additionalProperties": False,
    }


COMPONENT = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "component": {"type": "string"}},
    "required": ["id", "component"],
}
SERVER_TO_CLIENT = {
    "oneOf": [
        _message(
            "createSurface",
            {
                "catalogId": {"type": "string"},
                "theme": {"type": "object"},
                "attachDataModel": {"type": "boolean"},
            },
            ["catalogId"],
        ),
        _message(
            "updateComponents",
            {"components": {"type": "array", "minItems": 1, "items": COMPONENT}},
            ["components"],
        ),
        _message("updateDataModel", {"path": {"type": "string"}, "value": {}}, []),
        _message("deleteSurface", {}, []),
    ]
}
CLIENT_TO_SERVER = {
    "type": "object",
    "properties": {
        **_VERSION,
        "action": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "surfaceId": {"type": "string"},
                "sourceComponentId": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
                "context": {"type": "object"},
            },
            "required": ["name", "surfaceId", "sourceComponentId", "timestamp", "context"],
        },
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "surfaceId": {"type": "string"},
                "message": {"type": "string"},
            },
            "required": ["code", "surfaceId", "message"],
        },
    },
    "oneOf": [{"required": ["action"]}, {"required": ["error"]}],
    "additionalProperties": False,
}
CHECKER = jsonschema.FormatChecker()


def _lines() -> list[dict]:
    booking = a2ui_booking("s1", 4, place_args("tapas"))
    booked = a2ui_booked("s1", {"name": "Ada", "guests": 4, "time": ["20:00"], "day": "2026-05-01"})
    text = a2ui_jsonl([*booking, *booked, {"deleteSurface": {"surfaceId": "s1"}}])
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("message", _lines(), ids=lambda m: next(k for k in m if k != "version"))
def test_simulator_messages_follow_the_v0_9_envelope(message: dict) -> None:
    jsonschema.validate(message, SERVER_TO_CLIENT)
    assert message["version"] == "v0.9"


def test_the_booking_stream_uses_the_hosts_catalog_and_defines_a_root() -> None:
    messages = _lines()
    assert messages[0]["createSurface"]["catalogId"] == A2UI_CATALOG_ID
    ids = [c["id"] for m in messages if "updateComponents" in m for c in m["updateComponents"]["components"]]
    assert "root" in ids


def test_host_actions_and_errors_follow_the_client_to_server_schema() -> None:
    processor = A2UIProcessor()
    processor.apply_all(_lines()[:-3])  # the booking surface, still a form
    surface = processor.surfaces["s1"]
    surface.set("/booking/name", "Ada")
    for button in ("book", "cancel"):
        message = action_message(surface, button, surface.components[button]["action"])
        jsonschema.validate(message, CLIENT_TO_SERVER, format_checker=CHECKER)
    processor.apply({"updateDataModel": {"surfaceId": "nowhere", "value": 1}})
    jsonschema.validate(processor.errors[-1].to_message(), CLIENT_TO_SERVER, format_checker=CHECKER)
