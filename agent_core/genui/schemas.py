"""Tool name → component spec registry, OpenAI tool definitions and a forgiving validator.

Qt-free on purpose: the agent core, the simulator and the benchmark can import the same contract
the widgets render, so a schema change is made in exactly one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ComponentSpec",
    "REGISTRY",
    "get_spec",
    "tool_definitions",
    "validate",
]

JsonSchema = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One predefined component: the tool the agent calls and the props the widget renders."""

    tool_name: str
    title: str
    description: str
    parameters: JsonSchema
    interactive: bool = False

    def tool_definition(self) -> dict[str, Any]:
        """This spec in the Chat Completions `tools` format."""
        return {
            "type": "function",
            "function": {
                "name": self.tool_name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


def _obj(properties: dict[str, JsonSchema], required: list[str]) -> JsonSchema:
    return {"type": "object", "properties": properties, "required": required}


def _str(description: str, **extra: Any) -> JsonSchema:
    return {"type": "string", "description": description, **extra}


def _num(description: str, **extra: Any) -> JsonSchema:
    return {"type": "number", "description": description, **extra}


def _list(items: JsonSchema, description: str, **extra: Any) -> JsonSchema:
    return {"type": "array", "items": items, "description": description, **extra}


_FORECAST_DAY = _obj(
    {
        "day": _str("Day label, e.g. 'Mon'."),
        "condition": _str("Short condition, e.g. 'Rain'."),
        "high_c": _num("Daily high in °C."),
        "low_c": _num("Daily low in °C."),
    },
    ["day", "high_c", "low_c"],
)

_FORM_FIELD = _obj(
    {
        "name": _str("Key of the value in the response."),
        "label": _str("Label shown to the user."),
        "type": _str("Input kind.", enum=["text", "number", "choice", "date"]),
        "options": _list(_str("One option."), "Options for a choice field."),
        "required": {"type": "boolean", "description": "The user must fill it in."},
        "placeholder": _str("Hint shown in an empty input (shown as 'e.g. …'), never a value."),
        "default": {
            "type": ["string", "number"],
            "description": "Value the input starts with (a real answer the user may keep).",
        },
    },
    ["name", "label", "type"],
)

_SPECS = [
    ComponentSpec(
        "show_weather",
        "Weather",
        "Show a weather card for a location with the current conditions and a short forecast.",
        _obj(
            {
                "location": _str("City or place name."),
                "temperature_c": _num("Current temperature in °C."),
                "condition": _str("Current condition, e.g. 'Partly cloudy'."),
                "high_c": _num("Today's high in °C."),
                "low_c": _num("Today's low in °C."),
                "forecast": _list(_FORECAST_DAY, "Next days."),
            },
            ["location", "temperature_c", "condition"],
        ),
    ),
    ComponentSpec(
        "show_place",
        "Place",
        "Show a card for a place or venue: address, rating, price level, tags and opening hours.",
        _obj(
            {
                "name": _str("Name of the place."),
                "address": _str("Street address."),
                "rating": _num("Average rating from 0 to 5.", minimum=0, maximum=5),
                "price_level": {
                    "type": "integer",
                    "description": "1 (cheap) to 4 (expensive).",
                    "minimum": 1,
                    "maximum": 4,
                },
                "tags": _list(_str("A tag."), "Short tags, e.g. 'vegan'."),
                "opening_hours": _list(_str("One line, e.g. 'Mon–Fri 9–18'."), "Opening hours."),
            },
            ["name", "address"],
        ),
    ),
    ComponentSpec(
        "show_comparison",
        "Comparison",
        "Show a comparison table: one column per compared attribute, one row per option.",
        _obj(
            {
                "title": _str("Table caption."),
                "columns": _list(_str("Column header."), "Column headers.", minItems=1),
                "rows": _list(
                    _list({"type": ["string", "number", "boolean", "null"]}, "Cells of one row."),
                    "Rows, each with one cell per column.",
                ),
            },
            ["columns", "rows"],
        ),
    ),
    ComponentSpec(
        "show_chart",
        "Chart",
        "Show a bar or line chart with labelled categories and one or more numeric series.",
        _obj(
            {
                "kind": _str("Chart kind.", enum=["bar", "line"]),
                "title": _str("Chart title."),
                "labels": _list(_str("Category label."), "Category labels (x axis).", minItems=1),
                "series": _list(
                    _obj(
                        {"name": _str("Series name."), "values": _list(_num("A value."), "One per label.")},
                        ["name", "values"],
                    ),
                    "Data series.",
                    minItems=1,
                ),
            },
            ["kind", "labels", "series"],
        ),
    ),
    ComponentSpec(
        "ask_form",
        "Form",
        "Ask the user to fill in a small form; the run waits for the answer.",
        _obj(
            {
                "title": _str("Form title."),
                "fields": _list(_FORM_FIELD, "Form fields.", minItems=1),
                "submit_label": _str("Submit button text."),
            },
            ["title", "fields"],
        ),
        interactive=True,
    ),
    ComponentSpec(
        "confirm_action",
        "Confirmation",
        "Ask the user to confirm or cancel an action before the agent performs it.",
        _obj(
            {
                "title": _str("Question title."),
                "message": _str("What will happen."),
                "confirm_label": _str("Confirm button text."),
                "cancel_label": _str("Cancel button text."),
                "danger": {"type": "boolean", "description": "Destructive or irreversible action."},
            },
            ["title", "message"],
        ),
        interactive=True,
    ),
]

REGISTRY: dict[str, ComponentSpec] = {spec.tool_name: spec for spec in _SPECS}


def get_spec(tool_name: str) -> ComponentSpec | None:
    """The spec registered for `tool_name`, or None for an unknown tool."""
    return REGISTRY.get(tool_name)


def tool_definitions() -> list[dict[str, Any]]:
    """All components as OpenAI Chat Completions tool definitions."""
    return [spec.tool_definition() for spec in REGISTRY.values()]


_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _matches(value: object, type_name: str) -> bool:
    match type_name:
        case "string":
            return isinstance(value, str)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "integer":
            return (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            )
        case "boolean":
            return isinstance(value, bool)
        case "array":
            return isinstance(value, list)
        case "object":
            return isinstance(value, Mapping)
        case "null":
            return value is None
    return True


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _check(value: object, schema: JsonSchema, path: str, partial: bool, errors: list[str]) -> None:
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if allowed and not any(_matches(value, t) for t in allowed):
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in allowed)
        errors.append(f"{path}: expected {wanted}, got {_short(value)}")
        return
    if "enum" in schema and value not in schema["enum"]:
        # A streamed string may still be growing: 'ba' is on its way to 'bar'.
        growing = partial and isinstance(value, str) and any(str(e).startswith(value) for e in schema["enum"])
        if not growing:
            options = ", ".join(repr(e) for e in schema["enum"])
            errors.append(f"{path}: expected one of {options}, got {_short(value)}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: must be at least {schema['minimum']}, got {value}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: must be at most {schema['maximum']}, got {value}")
    if isinstance(value, list):
        if not partial and len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: needs at least {schema['minItems']} item(s), got {len(value)}")
        item_schema = schema.get("items")
        if item_schema:
            for index, item in enumerate(value):
                _check(item, item_schema, f"{path}[{index}]", partial, errors)
    if isinstance(value, Mapping):
        _check_object(value, schema, path, partial, errors)


def _check_object(
    value: Mapping[str, object], schema: JsonSchema, path: str, partial: bool, errors: list[str]
) -> None:
    prefix = f"{path}." if path else ""
    if not partial:
        for name in schema.get("required", []):
            if name not in value or value[name] is None:
                errors.append(f"{prefix}{name}: required field is missing")
    for name, prop in schema.get("properties", {}).items():
        if value.get(name) is not None:  # null is "absent": fine if optional, reported above if required
            _check(value[name], prop, f"{prefix}{name}", partial, errors)


def _cross_checks(tool_name: str, args: Mapping[str, Any], partial: bool, errors: list[str]) -> None:
    """Rules a JSON schema cannot express; skipped while streaming, when lists are still growing."""
    if partial:
        return
    if tool_name == "show_comparison" and isinstance(args.get("columns"), list):
        width = len(args["columns"])
        for index, row in enumerate(args.get("rows") or []):
            if isinstance(row, list) and len(row) != width:
                errors.append(f"rows[{index}]: expected {width} cells (one per column), got {len(row)}")
    elif tool_name == "show_chart" and isinstance(args.get("labels"), list):
        count = len(args["labels"])
        for index, series in enumerate(args.get("series") or []):
            values = series.get("values") if isinstance(series, Mapping) else None
            if isinstance(values, list) and len(values) != count:
                errors.append(
                    f"series[{index}].values: expected {count} values (one per label), got {len(values)}"
                )
    elif tool_name == "ask_form":
        for index, field in enumerate(args.get("fields") or []):
            if isinstance(field, Mapping) and field.get("type") == "choice" and not field.get("options"):
                errors.append(f"fields[{index}].options: a choice field needs at least one option")
    elif tool_name == "show_weather":
        high, low = args.get("high_c"), args.get("low_c")
        if isinstance(high, int | float) and isinstance(low, int | float) and low > high:
            errors.append(f"low_c: must not be above high_c ({low} > {high})")


def validate(tool_name: str, args: object, *, partial: bool = False) -> list[str]:
    """Human-readable problems with `args` for `tool_name`, each naming its field; [] when valid.

    With `partial=True` (arguments still streaming) only the fields present are checked.
    """
    spec = REGISTRY.get(tool_name)
    if spec is None:
        return [f"unknown tool {tool_name!r}"]
    if not isinstance(args, Mapping):
        return [f"arguments: expected an object, got {_short(args)}"]
    errors: list[str] = []
    _check_object(args, spec.parameters, "", partial, errors)
    _cross_checks(tool_name, args, partial, errors)
    return errors
