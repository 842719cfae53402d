"""Tools the agent may call, each with a permission level.

read_only tools run freely; auto tools change things without asking; needs_approval tools wait
for a person (the chat asks inline, ambient agents ask through the inbox).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

READ_ONLY, NEEDS_APPROVAL, AUTO = "read_only", "needs_approval", "auto"
PERMISSIONS = (READ_ONLY, NEEDS_APPROVAL, AUTO)


@dataclass
class Tool:
    name: str
    description: str
    parameters: dict
    fn: Callable[[dict], object]
    permission: str = AUTO

    def __post_init__(self) -> None:
        if self.permission not in PERMISSIONS:
            raise ValueError(f"tool {self.name}: permission must be one of {', '.join(PERMISSIONS)}")

    def schema(self) -> dict:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


class ToolDenied(Exception):
    """A person (or the default policy) refused a needs_approval tool call."""


class ToolRegistry:
    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {t.name: t for t in tools or []}

    def add(self, tool: Tool) -> None:
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def schemas(self) -> list[dict]:
        return [t.schema() for t in self._tools.values()]

    def __contains__(self, name: str) -> bool:
        return name in self._tools

    def call(self, name: str, args: dict, approve: Callable[[Tool, dict], bool] | None = None) -> object:
        tool = self._tools.get(name)
        if tool is None:
            raise KeyError(f"the model called an unknown tool {name!r}")
        if tool.permission == NEEDS_APPROVAL and not (approve and approve(tool, args)):
            raise ToolDenied(f"{name} needs approval and was not approved")
        return tool.fn(args)


SAVE_MEMORY_SCHEMA = {
    "type": "function",
    "function": {
        "name": "save_memory",
        "description": "Save durable facts about the user to long-term memory before answering.",
        "parameters": {
            "type": "object",
            "properties": {
                "facts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "content": {
                                "type": "string",
                                "description": "short third-person fact, e.g. 'Lives in Paris'",
                            },
                            "slot": {
                                "type": "string",
                                "description": "name, location, job, employer, partner, pet, preference, like, dislike, note",
                            },
                            "value": {"type": "string"},
                            "importance": {"type": "number"},
                            "confidence": {"type": "number"},
                        },
                        "required": ["content"],
                    },
                }
            },
            "required": ["facts"],
        },
    },
}
