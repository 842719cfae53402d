"""Sample tool calls (Qt-free): the gallery, the tests and demos replay them without a model."""

from __future__ import annotations

from typing import Any

from agent_core.genui.sim import a2ui_booking, a2ui_jsonl, place_args

WEATHER: dict[str, Any] = {
    "location": "Lisbon",
    "temperature_c": 21.5,
    "condition": "Partly cloudy",
    "high_c": 24,
    "low_c": 15,
    "forecast": [
        {"day": "Tue", "condition": "Sunny", "high_c": 25, "low_c": 16},
        {"day": "Wed", "condition": "Light rain", "high_c": 19, "low_c": 14},
        {"day": "Thu", "condition": "Windy", "high_c": 20, "low_c": 13},
    ],
}

PLACE: dict[str, Any] = {
    "name": "鼎泰豐 Din Tai Fung (Xinyi Road flagship)",
    "address": "No. 194, Section 2, Xinyi Road, Da'an District, Taipei 106",
    "rating": 4.6,
    "price_level": 2,
    "tags": ["dumplings", "小笼包", "family friendly", "queue at lunch", "vegetarian options"],
    "opening_hours": ["Mon–Fri 11:00–20:30", "Sat–Sun 10:30–20:30"],
}

COMPARISON: dict[str, Any] = {
    "title": "Laptops under €1,500",
    "columns": ["Model", "Weight (kg)", "Battery (h)", "Ports", "Fanless"],
    "rows": [
        ["Air 13", 1.24, 18, "2× USB-C, MagSafe", True],
        ["ThinkPad X1 Carbon Gen 12", 1.09, 15, "2× USB-C, 2× USB-A, HDMI", False],
        ["XPS 13", 1.19, 12.5, "2× USB-C", False],
    ],
}

CHART: dict[str, Any] = {
    "kind": "bar",
    "title": "Memory recall@5 by mode",
    "labels": ["hot path", "background", "both", "off"],
    "series": [
        {"name": "dense", "values": [0.62, 0.55, 0.66, 0.1]},
        {"name": "lexical", "values": [0.58, 0.51, 0.6, 0.08]},
        {"name": "fused", "values": [0.74, 0.68, 0.79, 0.12]},
    ],
}

LINE_CHART: dict[str, Any] = {
    "kind": "line",
    "title": "Tokens per second over a run",
    "labels": ["0 s", "5 s", "10 s", "15 s", "20 s", "25 s"],
    "series": [
        {"name": "simulator", "values": [40, 42, 38, 45, 44, 47]},
        {"name": "gpt", "values": [22, 30, 28, 35, 31, 33]},
    ],
}

FORM: dict[str, Any] = {
    "title": "Book a table",
    "fields": [
        {"name": "name", "label": "Name", "type": "text", "required": True, "placeholder": "Ada Lovelace"},
        {"name": "guests", "label": "Guests", "type": "number", "required": True},
        {"name": "seating", "label": "Seating", "type": "choice", "options": ["inside", "terrace"]},
        {"name": "day", "label": "Day", "type": "date"},
    ],
    "submit_label": "Book",
}

CONFIRM: dict[str, Any] = {
    "title": "Delete 3 memories?",
    "message": "The facts about your old address (Rua Augusta 12) will be removed from semantic memory. "
    "Their history stays inspectable, but they will no longer be recalled.",
    "confirm_label": "Delete",
    "cancel_label": "Keep them",
    "danger": True,
}

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("show_weather", WEATHER),
    ("show_place", PLACE),
    ("show_comparison", COMPARISON),
    ("show_chart", CHART),
    ("show_chart", LINE_CHART),
    ("ask_form", FORM),
    ("confirm_action", CONFIRM),
]


def a2ui_booking_jsonl(surface: str = "booking", guests: int = 4) -> str:
    """The simulator's A2UI booking surface (form, a list bound to data, buttons) as JSONL."""
    return a2ui_jsonl(a2ui_booking(surface, guests, place_args("tapas")))
