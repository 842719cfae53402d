"""The host's A2UI catalog (Qt-free): which components an agent may use, and the `render_a2ui` tool.

The catalog is the standard v0.9 basics this host draws natively, plus the page's predefined
components (Weather, Place, Comparison, Chart) under their A2UI names, their props those of the
tool schemas, each prop a literal or a data binding. Anything else renders as a generic card.
"""

from __future__ import annotations

from typing import Any

from .schemas import REGISTRY
from .sim import A2UI_CATALOG_ID as CATALOG_ID
from .sim import A2UI_TOOL

__all__ = ["A2UI_TOOL", "CATALOG_ID", "PREDEFINED", "STANDARD", "catalog", "supported", "tool_definition"]

STANDARD = {
    "Text": "Text (simple Markdown, no HTML, images or links); variant h1–h5, caption or body.",
    "Row": "Children side by side; `children` is a list of ids or a template {componentId, path}.",
    "Column": "Children stacked; `children` as for Row.",
    "List": "A list of children, usually a template over an array in the data model.",
    "Card": "A framed container with one `child`.",
    "Divider": "A horizontal line.",
    "Button": "A button with a `child` (a Text) and an `action` {name, context}; `primary` styles it.",
    "TextField": "A text input bound two-way to `value` ({path}); variant shortText, longText, number.",
    "CheckBox": "A checkbox bound to a boolean `value`.",
    "ChoicePicker": "Options [{label, value}] bound to a string list `value`; variant mutuallyExclusive.",
    "DateTimeInput": "A date (enableDate) and/or time (enableTime) bound to an ISO string `value`.",
    "Slider": "A number between `min` and `max` bound to `value`.",
}
PREDEFINED = {
    "Weather": "show_weather",
    "Place": "show_place",
    "Comparison": "show_comparison",
    "Chart": "show_chart",
}


def supported() -> frozenset[str]:
    """Every component type this host draws itself."""
    return frozenset(STANDARD) | frozenset(PREDEFINED)


def _dynamic(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "oneOf": [
            schema,
            {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
        ]
    }


def catalog() -> dict[str, Any]:
    """The catalog document an agent can be given (components by name; props bindable)."""
    components: dict[str, Any] = {name: {"description": text} for name, text in STANDARD.items()}
    for name, tool in PREDEFINED.items():
        spec = REGISTRY[tool]
        properties = {key: _dynamic(value) for key, value in spec.parameters["properties"].items()}
        components[name] = {
            "description": spec.description,
            "properties": {"component": {"const": name}, **properties},
            "required": ["component", *spec.parameters.get("required", [])],
        }
    return {"catalogId": CATALOG_ID, "components": components, "functions": list(FUNCTIONS)}


FUNCTIONS = ("required", "regex", "length", "numeric", "email", "string_format", "now")


def tool_definition() -> dict[str, Any]:
    """`render_a2ui` in the Chat Completions `tools` format: A2UI v0.9 messages as JSONL text."""
    names = ", ".join(sorted(supported()))
    return {
        "type": "function",
        "function": {
            "name": A2UI_TOOL,
            "description": (
                "Render or update UI declaratively with A2UI v0.9: one JSON message per line "
                "(createSurface, updateComponents, updateDataModel, deleteSurface). "
                f"Catalog {CATALOG_ID}: {names}. Button actions come back as [a2ui action] messages."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "jsonl": {"type": "string", "description": "A2UI messages, one JSON object per line."},
                    "messages": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "Or as a list.",
                    },
                },
            },
        },
    }
