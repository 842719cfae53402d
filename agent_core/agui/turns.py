"""AG-UI events and chat turns, both ways.

Out: `TurnEvents` turns a live chat turn (its `AgentEvent`s and recorded steps) into the events an
export of it would hold, for `serve-agui`'s stream. In: `TurnReader` reads one run's events, one at
a time, as the chat's turn items — a remote agent's stream as it arrives (`agui_client`), or a
recording (`replay_turns`, played by the chat page's *Replay AG-UI…*).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent_core.agui.events import MEMORY_READ, MEMORY_WRITE, NOTE, STEP, MemoryState
from agent_core.agui.json_patch import PatchError, apply_patch

SAVE_MEMORY = "save_memory"
"""The hot-path memory tool: its call is shown as the memory write it made, not as a tool."""


def interrupt_prompt(interrupts: list[dict]) -> str:
    """What the agent asks, in words (each interrupt's message, else its reason)."""
    return "\n".join(
        str(i.get("message") or i.get("reason") or "the agent needs your input") for i in interrupts
    )


class TurnEvents:
    """A chat turn as live AG-UI events, shaped like its export: RUN_STARTED and the STATE_SNAPSHOT;
    the reply's text, tool calls (from the run's steps) and lab.memory.* events as they happen, a
    STATE_DELTA after each memory step; at the end a MESSAGES_SNAPSHOT (`messages()`, the
    conversation so far) and RUN_FINISHED, or RUN_ERROR."""

    def __init__(
        self, thread_id: str, run_id: str = "", messages: Callable[[], list[dict]] | None = None
    ) -> None:
        self.thread_id, self.run_id = thread_id, run_id or uuid.uuid4().hex
        self.lab_run_id = ""
        """The run the turn records (from its "started" event): `step` keeps to its steps."""
        self._messages = messages
        self._state = MemoryState()
        self._message_id = ""

    def start(self) -> list[dict]:
        return [
            {"type": "RUN_STARTED", "threadId": self.thread_id, "runId": self.run_id},
            self._state.snapshot(),
        ]

    def of(self, kind: str, data: dict) -> list[dict]:
        """A turn event (`ChatAgent.run_turn`'s) as AG-UI events."""
        if kind == "started":
            self.lab_run_id = str(data.get("run_id", ""))
        elif kind == "token":
            opened = []
            if not self._message_id:
                self._message_id = f"msg-{uuid.uuid4().hex[:12]}"
                opened = [{"type": "TEXT_MESSAGE_START", "messageId": self._message_id, "role": "assistant"}]
            return [
                *opened,
                {"type": "TEXT_MESSAGE_CONTENT", "messageId": self._message_id, "delta": data["text"]},
            ]
        elif kind == "recalled":
            value = {"output": {"memories": data.get("memories", [])}, "latency_ms": data.get("latency_ms")}
            return [{"type": "CUSTOM", "name": MEMORY_READ, "value": value}]
        elif kind in ("saved", "pending", "memory_note", "notice"):
            return [{"type": "CUSTOM", "name": MEMORY_WRITE if kind != "notice" else NOTE, "value": data}]
        elif kind == "error":
            return [*self._close(), {"type": "RUN_ERROR", "message": data.get("message", "")}]
        elif kind == "done" and not getattr(data.get("result"), "error", None):
            snapshot = [{"type": "MESSAGES_SNAPSHOT", "messages": self._messages()}] if self._messages else []
            ids = {"threadId": self.thread_id, "runId": self.run_id}
            return [
                *self._close(),
                *snapshot,
                {"type": "RUN_FINISHED", **ids, "outcome": {"type": "success"}},
            ]
        return []

    def step(self, event: str, step: Any) -> list[dict]:  # noqa: ANN401 - a Step or StepNote
        """A recorded step of this turn ("started" / "finished"): tool calls, `save_memory` too (as
        exports show it), and the STATE_DELTA a memory step makes. Other runs' steps: nothing."""
        if not self.lab_run_id or getattr(step, "run_id", None) != self.lab_run_id:
            return []
        call = f"call-{step.id}"
        is_call = step.kind == "tool_call" or (step.kind == "memory_write" and step.name == SAVE_MEMORY)
        if is_call and event == "started":
            args = step.input.get("arguments", "") if isinstance(step.input, dict) else ""
            return [
                *self._close(),  # the text so far is one message; what follows the call, another
                {"type": "TOOL_CALL_START", "toolCallId": call, "toolCallName": step.name},
                {"type": "TOOL_CALL_ARGS", "toolCallId": call, "delta": str(args)},
                {"type": "TOOL_CALL_END", "toolCallId": call},
            ]
        if event != "finished":
            return []
        out = []
        if is_call:
            content = json.dumps(step.output, ensure_ascii=False, default=str)
            out.append(
                {
                    "type": "TOOL_CALL_RESULT",
                    "messageId": f"result-{step.id}",
                    "toolCallId": call,
                    "content": content,
                }
            )
        if step.kind in ("memory_read", "memory_write") and (delta := self._state.delta(step)):
            out.append(delta)
        return out

    def _close(self) -> list[dict]:
        if not self._message_id:
            return []
        mid, self._message_id = self._message_id, ""
        return [{"type": "TEXT_MESSAGE_END", "messageId": mid}]


class TurnReader:
    """One run's events, fed one at a time, as the chat's turn items (see `ReplayTurn`), and what the
    run leaves: the reply, an error, interrupts (the agent asks for input), the shared state."""

    def __init__(self, state: object = None) -> None:
        self.reply = ""
        self.error: str | None = None
        self.interrupts: list[dict] = []
        self.state: object = {} if state is None else state
        self.finished = False
        self._roles: dict[str, str] = {}
        self._tools: dict[str, dict] = {}

    def feed(self, e: dict) -> list[tuple[str, dict]]:
        kind = e["type"]
        if kind == "TEXT_MESSAGE_START":
            self._roles[e.get("messageId", "")] = e.get("role", "assistant")
        elif kind in ("TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CHUNK"):
            if self._roles.get(e.get("messageId", ""), e.get("role", "assistant")) == "assistant" and e.get(
                "delta"
            ):
                self.reply += str(e["delta"])
                return [("token", {"text": str(e["delta"])})]
        elif kind in ("TOOL_CALL_START", "TOOL_CALL_CHUNK") and e.get("toolCallName"):
            call = {
                "id": e.get("toolCallId", ""),
                "name": e["toolCallName"],
                "arguments": str(e.get("delta") or ""),
            }
            self._tools[call["id"]] = call
            return [] if call["name"] == SAVE_MEMORY else [("tool_started", dict(call))]
        elif kind in ("TOOL_CALL_ARGS", "TOOL_CALL_CHUNK") and e.get("toolCallId", "") in self._tools:
            self._tools[e["toolCallId"]]["arguments"] += str(e.get("delta") or "")
        elif kind == "TOOL_CALL_RESULT" and e.get("toolCallId", "") in self._tools:
            call = self._tools.pop(e["toolCallId"])
            if call["name"] != SAVE_MEMORY:  # shown as the memory write (lab.memory.write)
                return [("tool", {**call, "result": e.get("content", "")})]
        elif kind == "CUSTOM":
            return self._custom(e)
        elif kind == "STATE_SNAPSHOT":
            self.state = e.get("snapshot")
        elif kind == "STATE_DELTA":
            try:
                self.state = apply_patch(self.state, list(e.get("delta") or []))
            except PatchError as exc:
                return [
                    ("note", {"text": f"a STATE_DELTA did not apply ({exc}); the state is kept as it was"})
                ]
        elif kind == "RUN_ERROR":
            self.error, self.finished = str(e.get("message") or "the agent's run failed"), True
        elif kind == "RUN_FINISHED":
            self.finished = True
            outcome = e.get("outcome") or {}
            if isinstance(outcome, dict) and outcome.get("type") == "interrupt":
                self.interrupts = [i for i in outcome.get("interrupts") or [] if isinstance(i, dict)]
                return [
                    ("interrupt", {"interrupts": self.interrupts, "text": interrupt_prompt(self.interrupts)})
                ]
        return []

    def _custom(self, e: dict) -> list[tuple[str, dict]]:
        value = e.get("value")
        if not isinstance(value, dict):
            return []
        if e.get("name") == MEMORY_READ:
            out = value.get("output") or {}
            mems = out.get("memories", []) if isinstance(out, dict) else []
            took = value.get("latency_ms")  # ours say; another agent's may not (shown as "–")
            return [
                (
                    "recalled",
                    {"memories": mems, "latency_ms": took if isinstance(took, int | float) else None},
                )
            ]
        if e.get("name") == MEMORY_WRITE and any(value.get(k) for k in ("added", "superseded", "updated")):
            return [("saved", value)]
        return []


@dataclass
class ReplayTurn:
    """One run of a recording as a chat turn: what the user said and what the agent streamed.

    `items` are (kind, data) pairs the chat page plays in order: "token" {text}, "recalled"
    {memories, latency_ms (None: not recorded)}, "saved" {the write's result}, "tool" {id, name, arguments, result},
    "note" {text}, "interrupt" {interrupts, text}; `error` is set when the run ended in RUN_ERROR.
    """

    user: str
    items: list[tuple[str, dict]] = field(default_factory=list)
    reply: str = ""
    error: str | None = None
    run_id: str = ""


def _user_text(start: dict, run: list[dict]) -> str:
    messages = (start.get("input") or {}).get("messages") or start.get("messages") or []
    said = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if said and isinstance(said[-1], str):
        return said[-1]
    for e in run:  # our own export: the human_input step's record
        v = e.get("value") or {}
        if e["type"] == "CUSTOM" and e.get("name") == STEP and v.get("kind") == "human_input":
            out, inp = v.get("output"), v.get("input")
            for x in (out, inp):
                said_here = x.get("content") or x.get("text") if isinstance(x, dict) else x
                if isinstance(said_here, str):
                    return said_here
    roles: dict[str, str] = {}
    text = ""
    for e in run:  # a recording that streams the user's message as a text message
        if e["type"] == "TEXT_MESSAGE_START":
            roles[e.get("messageId", "")] = e.get("role", "assistant")
        elif e["type"] == "TEXT_MESSAGE_CONTENT" and roles.get(e.get("messageId", "")) == "user":
            text += str(e.get("delta", ""))
    return text


def replay_turns(events: list[dict]) -> list[ReplayTurn]:
    """A recording as chat turns, one per RUN_STARTED … RUN_FINISHED / RUN_ERROR (events before a
    first RUN_STARTED form a run of their own)."""
    runs: list[list[dict]] = []
    for e in events:
        if e["type"] == "RUN_STARTED" or not runs:
            runs.append([])
        runs[-1].append(e)
    turns = []
    for run in runs:
        start = run[0] if run[0]["type"] == "RUN_STARTED" else {}
        turn = ReplayTurn(user=_user_text(start, run), run_id=str(start.get("runId", "")))
        reader = TurnReader()
        for e in run:
            turn.items += [item for item in reader.feed(e) if item[0] != "tool_started"]
        turn.reply, turn.error = reader.reply, reader.error
        turns.append(turn)
    return [t for t in turns if t.user or t.items or t.error]
