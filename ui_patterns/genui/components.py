"""Public entry point of the component library: tool name → widget, plus the catch-all fallback."""

from __future__ import annotations

from .base import ComponentState, ErrorView, ToolComponent
from .cards import ComparisonCard, FallbackCard, PlaceCard, WeatherCard
from .chart import ChartCanvas, ChartCard
from .interactive import ConfirmCard, FormCard, InteractiveComponent

__all__ = [
    "COMPONENTS",
    "ChartCanvas",
    "ChartCard",
    "ComparisonCard",
    "ComponentState",
    "ConfirmCard",
    "ErrorView",
    "FallbackCard",
    "FormCard",
    "InteractiveComponent",
    "PlaceCard",
    "ToolComponent",
    "WeatherCard",
    "create_component",
]

COMPONENTS: dict[str, type[ToolComponent]] = {
    cls.tool_name: cls for cls in (WeatherCard, PlaceCard, ComparisonCard, ChartCard, FormCard, ConfirmCard)
}


def create_component(tool_name: str, args: object = None, partial: bool = False) -> ToolComponent:
    """The predefined component for `tool_name` (a FallbackCard for unknown tools), rendered from `args`.

    With `args=None` the component starts in the streaming state, waiting for its first arguments.
    """
    cls = COMPONENTS.get(tool_name)
    component = cls() if cls is not None else FallbackCard(tool_name)
    if args is not None:
        component.set_args(args, partial=partial)
    return component
