"""AG-UI, out and in: a run as the event stream agent UIs speak (docs.ag-ui.com), and back.

Out: `run_events` turns a recorded run into AG-UI events (camelCase JSON, the wire form):
RUN_STARTED and an empty STATE_SNAPSHOT; per step STEP_STARTED / STEP_FINISHED around what the
step was — an LLM call's text as TEXT_MESSAGE_START / CONTENT / END, a tool call as
TOOL_CALL_START / ARGS / END / RESULT, memory as CUSTOM events followed by a STATE_DELTA (the facts
in view, see `MemoryState`); a chat run's MESSAGES_SNAPSHOT; then RUN_FINISHED (an ambient run
waiting for a person finishes with an *interrupt* outcome) or RUN_ERROR. `agui_turns.TurnEvents`
does the same live, for a chat turn as it streams.

Custom events (their `name`, documented here and in the README):
  lab.memory.read   value: {"query", "memories": [{id, content, score, parts}]}
  lab.memory.write  value: the write's result {mode, added, superseded, notes, …}
  lab.note          value: {"name", "output"} for steps AG-UI has no shape for
  lab.step          value: the step as recorded (seq, kind, name, input, output, status, tokens):
                    what makes export → import lossless. Foreign recordings need not carry it.

In: `import_events` files any AG-UI recording (ours or a LangGraph / ADK agent's) as a run the
trace viewer shows: lab.step events exactly, other events as the steps they describe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent_core.runtime.runs import Run, Step, load_run
from memory.clock import utcnow

MEMORY_READ, MEMORY_WRITE, NOTE, STEP = "lab.memory.read", "lab.memory.write", "lab.note", "lab.step"
STEP_FIELDS = (
    "seq",
    "kind",
    "name",
    "status",
    "error",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
    "mode",
)


def _text(output: Any) -> str:
    if isinstance(output, dict):
        return str(output.get("content") or "")
    return output if isinstance(output, str) else ""


def step_events(step: Step) -> Iterator[dict]:
    """One recorded step as AG-UI events (the lab.step record last, for a lossless import)."""
    name = f"{step.kind}:{step.name}" if step.name else step.kind
    yield {"type": "STEP_STARTED", "stepName": name}
    output = step.output
    if step.kind == "llm_call" and _text(output):
        mid = f"msg-{step.id}"
        yield {"type": "TEXT_MESSAGE_START", "messageId": mid, "role": "assistant"}
        yield {"type": "TEXT_MESSAGE_CONTENT", "messageId": mid, "delta": _text(output)}
        yield {"type": "TEXT_MESSAGE_END", "messageId": mid}
    elif (
        step.kind in ("tool_call", "memory_write")
        and isinstance(step.input, dict)
        and "arguments" in step.input
    ):
        call = f"call-{step.id}"
        yield {"type": "TOOL_CALL_START", "toolCallId": call, "toolCallName": step.name}
        yield {"type": "TOOL_CALL_ARGS", "toolCallId": call, "delta": str(step.input["arguments"])}
        yield {"type": "TOOL_CALL_END", "toolCallId": call}
        result = json.dumps(output, ensure_ascii=False, default=str)
        yield {
            "type": "TOOL_CALL_RESULT",
            "messageId": f"result-{step.id}",
            "toolCallId": call,
            "content": result,
        }
    if step.kind == "memory_read":
        yield {"type": "CUSTOM", "name": MEMORY_READ, "value": {"input": step.input, "output": output}}
    elif step.kind == "memory_write":
        yield {"type": "CUSTOM", "name": MEMORY_WRITE, "value": output}
    elif step.kind not in ("llm_call", "tool_call"):
        yield {"type": "CUSTOM", "name": NOTE, "value": {"name": name, "output": output}}
    record = {f: getattr(step, f) for f in STEP_FIELDS} | {"input": step.input, "output": output}
    yield {"type": "CUSTOM", "name": STEP, "value": record}
    yield {"type": "STEP_FINISHED", "stepName": name}


def run_events(engine: Engine, run_id: str) -> list[dict]:
    """A recorded run as an AG-UI event stream."""
    loaded = load_run(engine, run_id)
    if loaded is None:
        raise KeyError(f"no run {run_id}")
    run, steps = loaded
    ids = {"threadId": run.conversation_id or run.id, "runId": run.id}
    meta = {"kind": run.kind, "agent": run.agent, "profile": run.profile, "title": run.title}
    events: list[dict] = [
        {"type": "RUN_STARTED", **ids, "metadata": {**meta, "architecture": run.architecture}}
    ]
    state = MemoryState()
    events.append(state.snapshot())
    for step in steps:
        events.extend(step_events(step))
        delta = state.delta(step)
        if delta:
            events.append(delta)
    snapshot = messages_snapshot(engine, run, steps)
    if snapshot:
        events.append(snapshot)
    events.append(finish_event(run, steps))
    return events


class MemoryState:
    """The run's shared state as AG-UI state events: {"memory": {"facts": {id: content}}}.

    A STATE_SNAPSHOT (empty) after RUN_STARTED, then a STATE_DELTA (JSON Patch, RFC 6902) after
    each memory step: recalled and newly saved facts added, replaced ones removed. A client that
    applies the patches holds the facts the agent had in view and what it changed.
    """

    def __init__(self) -> None:
        self.facts: set[str] = set()

    def snapshot(self) -> dict:
        return {"type": "STATE_SNAPSHOT", "snapshot": {"memory": {"facts": {}}}}

    def delta(self, step: Step) -> dict | None:
        out = step.output if isinstance(step.output, dict) else {}
        ops: list[dict] = []
        if step.kind == "memory_read":
            for m in out.get("memories", []):
                if isinstance(m, dict) and m.get("kind", "semantic") == "semantic" and m.get("id"):
                    ops.append(self._add(str(m["id"]), str(m.get("content", ""))))
        elif step.kind == "memory_write":
            for m in out.get("superseded", []) + out.get("retracted", []):
                if isinstance(m, dict) and m.get("id") in self.facts:
                    self.facts.discard(m["id"])
                    ops.append({"op": "remove", "path": f"/memory/facts/{m['id']}"})
            for m in out.get("added", []) + out.get("updated", []):
                if isinstance(m, dict) and m.get("kind", "semantic") == "semantic" and m.get("id"):
                    ops.append(self._add(str(m["id"]), str(m.get("content", ""))))
        return {"type": "STATE_DELTA", "delta": ops} if ops else None

    def _add(self, fact_id: str, content: str) -> dict:
        self.facts.add(fact_id)
        return {"op": "add", "path": f"/memory/facts/{fact_id}", "value": content}


def messages_snapshot(engine: Engine, run: Run, steps: list[Step]) -> dict | None:
    """A chat run's MESSAGES_SNAPSHOT: the conversation before the turn, the turn's message and
    its reply (the turn's own two read from its steps, so an imported run exports the same)."""
    inputs = (s.input for s in steps if s.kind == "human_input")
    said = next((i for i in inputs if isinstance(i, dict)), None)
    replies = [_text(s.output) for s in steps if s.kind == "llm_call" and _text(s.output)]
    if said is None or not replies or not isinstance(said.get("text"), str):
        return None
    messages: list[dict] = []
    if run.conversation_id:
        from agent_core.chat.conversations import Conversations

        for m in Conversations(engine).messages(run.conversation_id):
            if m.id == said.get("message_id"):
                break
            if m.role in ("user", "assistant") and m.content:
                messages.append({"id": m.id, "role": m.role, "content": m.content})
    user_id = str(said.get("message_id") or f"user-{run.id}")
    messages.append({"id": user_id, "role": "user", "content": said["text"]})
    messages.append({"id": f"{user_id}-reply", "role": "assistant", "content": replies[-1]})
    return {"type": "MESSAGES_SNAPSHOT", "messages": messages}


def finish_event(run: Run, steps: list[Step]) -> dict:
    ids = {"threadId": run.conversation_id or run.id, "runId": run.id}
    if run.status == "error":
        return {"type": "RUN_ERROR", "message": run.error or "the run failed"}
    if run.status in ("waiting", "paused"):  # a person is asked: AG-UI's human-in-the-loop
        waiting = [s for s in steps if s.kind == "human_input" and s.status != "done"] or steps[-1:]
        interrupts = [{"id": s.id, "reason": "human_input", "message": s.name or run.title} for s in waiting]
        return {"type": "RUN_FINISHED", **ids, "outcome": {"type": "interrupt", "interrupts": interrupts}}
    return {"type": "RUN_FINISHED", **ids, "outcome": {"type": "success"}}


def to_jsonl(events: Iterable[dict]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events)


def read_jsonl(text: str) -> list[dict]:
    """Events from a JSONL recording (or an SSE capture: "data: {…}" lines); clear errors otherwise."""
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip().removeprefix("data:").strip()
        if not line or line == "[DONE]":
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {n}: not JSON ({exc.msg})") from exc
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError(f"line {n}: an AG-UI event is an object with a 'type'")
        events.append(event)
    return events


def import_events(engine: Engine, events: list[dict], *, profile: str = "default") -> str:
    """File a recording as a run (kind "agui" unless it says otherwise); returns the run id."""
    start = next((e for e in events if e["type"] == "RUN_STARTED"), {})
    meta = start.get("metadata") or {}
    run = Run(
        kind=meta.get("kind", "agui"),
        agent=meta.get("agent", "imported"),
        profile=meta.get("profile", profile),
        title=meta.get("title") or f"AG-UI recording {start.get('runId', '')}".strip(),
        architecture=meta.get("architecture", "agui"),
        status="done",
    )
    steps = _steps_from(events, run.id)
    end = events[-1] if events else {}
    if end.get("type") == "RUN_ERROR":
        run.status, run.error = "error", str(end.get("message", ""))
    elif (end.get("outcome") or {}).get("type") == "interrupt":
        run.status = "waiting"
    run.finished_at = utcnow()
    with Session(engine, expire_on_commit=False) as s:
        s.add(run)
        for step in steps:
            s.add(step)
        s.commit()
    return run.id


def _steps_from(events: list[dict], run_id: str) -> list[Step]:
    recorded = [e["value"] for e in events if e["type"] == "CUSTOM" and e.get("name") == STEP]
    if recorded:  # our own export: the steps exactly as they were
        return [
            Step(
                run_id=run_id,
                input_json=json.dumps(r.get("input"), ensure_ascii=False, default=str),
                output_json=json.dumps(r.get("output"), ensure_ascii=False, default=str),
                **{f: r[f] for f in STEP_FIELDS if f in r},
            )
            for r in recorded
        ]
    return _foreign_steps(events, run_id)


def _foreign_steps(events: list[dict], run_id: str) -> list[Step]:
    """Another agent's stream: text messages, tool calls and custom events become steps."""
    steps: list[Step] = []
    texts: dict[str, list[str]] = {}
    calls: dict[str, dict] = {}

    def add(kind: str, name: str, input_: Any, output: Any) -> None:
        steps.append(
            Step(
                run_id=run_id,
                seq=len(steps) + 1,
                kind=kind,
                name=name,
                status="done",
                input_json=json.dumps(input_, ensure_ascii=False, default=str),
                output_json=json.dumps(output, ensure_ascii=False, default=str),
            )
        )

    for e in events:
        kind = e["type"]
        if kind in ("TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CHUNK"):
            texts.setdefault(str(e.get("messageId", "")), []).append(str(e.get("delta", "")))
        elif kind == "TEXT_MESSAGE_END":
            mid = str(e.get("messageId", ""))
            add("llm_call", "message", {"message_id": mid}, {"content": "".join(texts.pop(mid, []))})
        elif kind in ("TOOL_CALL_START", "TOOL_CALL_CHUNK") and e.get("toolCallName"):
            calls[str(e["toolCallId"])] = {"name": e["toolCallName"], "arguments": ""}
        elif kind in ("TOOL_CALL_ARGS", "TOOL_CALL_CHUNK"):
            calls.setdefault(str(e.get("toolCallId")), {"name": "tool", "arguments": ""})["arguments"] += str(
                e.get("delta", "")
            )
        elif kind == "TOOL_CALL_RESULT":
            call = calls.pop(str(e.get("toolCallId")), {"name": "tool", "arguments": ""})
            add("tool_call", call["name"], {"arguments": call["arguments"]}, e.get("content"))
        elif kind in ("CUSTOM", "STATE_SNAPSHOT", "STATE_DELTA", "MESSAGES_SNAPSHOT", "RAW"):
            add(
                "note",
                str(e.get("name") or kind.lower()),
                None,
                e.get("value", e.get("snapshot", e.get("delta"))),
            )
        elif kind == "RUN_ERROR":
            add("note", "error", None, {"message": e.get("message")})
    for mid, parts in texts.items():  # a message the stream never ended
        add("llm_call", "message", {"message_id": mid}, {"content": "".join(parts)})
    for call in calls.values():
        add("tool_call", call["name"], {"arguments": call["arguments"]}, None)
    return steps
