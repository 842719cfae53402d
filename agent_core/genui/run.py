"""Running a generative-UI chat turn: the component tools, the agent, and the event stream a page renders.

Qt-free: it runs in the agent engine (`service.py`). The tools are built here from the component schemas
and handed to `ChatAgent`; each only acknowledges, the page renders. Tool calls are read from the recorded
`llm_call` step, raw arguments text included, so even malformed JSON reaches the view (as an error card)
instead of only failing the run. An interactive component pauses the run: the loop stops after its tool
returns, and the user's answer goes back to the agent as a follow-up turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.runs import Step
from agent_core.runtime.tools import Tool, ToolRegistry

from . import a2ui_catalog
from .a2ui_catalog import A2UI_TOOL
from .schemas import REGISTRY, tool_definitions
from .sim import GENUI_INSTRUCTIONS

CHUNK = 24  # characters of arguments text per streamed piece


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """One component tool call as it streams: `text` is the arguments text so far; `done` at the end."""

    index: int
    name: str
    text: str
    done: bool


class GenUIAgent(ChatAgent):
    """A ChatAgent whose system prompt invites component tool calls (and names the simulator task)."""

    def build_messages(self, user_text: str, recalled: list, examples: list, **kw: Any) -> list[dict]:
        messages = super().build_messages(user_text, recalled, examples, **kw)
        messages[0] = {**messages[0], "content": f"{messages[0]['content']}\n\n{GENUI_INSTRUCTIONS}"}
        return messages


def build_registry(on_interactive: Callable[[str], None]) -> ToolRegistry:
    """One Tool per component schema, and `render_a2ui`; a tool only acknowledges, the page renders."""
    registry = ToolRegistry()
    a2ui = a2ui_catalog.tool_definition()["function"]
    registry.add(
        Tool(A2UI_TOOL, a2ui["description"], a2ui["parameters"], lambda _args: {"status": "rendered"})
    )
    for definition in tool_definitions():
        function = definition["function"]
        name = function["name"]
        interactive = REGISTRY[name].interactive

        def run(args: dict, name: str = name, interactive: bool = interactive) -> object:
            if interactive:
                on_interactive(name)
                return {"status": "waiting_for_user", "shown": name}
            return {"status": "shown", "component": name}

        registry.add(Tool(name, function["description"], function["parameters"], run))
    return registry


def run_genui_turn(
    lab: Lab,
    profile: str,
    conversation_id: str,
    text: str,
    should_stop: Callable[[], bool],
    *,
    memory_mode: str | None = None,
    chunk_delay: float = 0.0,
) -> Iterator[object]:
    """Yield the turn's AgentEvents with ToolCallEvents interleaved (arguments replayed in pieces)."""
    paused = threading.Event()
    pending: list[tuple[str, str]] = []
    run_id: list[str] = []

    def on_step(event: str, step: Step) -> None:
        if event != "finished" or step.kind != "llm_call" or step.run_id not in run_id:
            return
        output = step.output
        for call in output.get("tool_calls") or [] if isinstance(output, dict) else []:
            if call.get("name") in REGISTRY or call.get("name") == A2UI_TOOL:
                pending.append((str(call["name"]), str(call.get("arguments") or "")))

    agent = GenUIAgent(
        lab, profile, agent="genui", memory_mode=memory_mode, tools=build_registry(lambda _n: paused.set())
    )
    lab.step_listeners.append(on_step)
    count = 0
    try:
        events = agent.run_turn(conversation_id, text, should_stop=lambda: should_stop() or paused.is_set())
        for event in events:
            if event.kind == "started":
                run_id.append(event.data["run_id"])
            while pending:
                name, arguments = pending.pop(0)
                for end in range(CHUNK, len(arguments), CHUNK):
                    if should_stop():  # stopped: skip to the whole call, so no card keeps streaming
                        break
                    yield ToolCallEvent(count, name, arguments[:end], False)
                    if chunk_delay:
                        time.sleep(chunk_delay)
                yield ToolCallEvent(count, name, arguments, True)
                count += 1
            yield event
    finally:
        if on_step in lab.step_listeners:
            lab.step_listeners.remove(on_step)
