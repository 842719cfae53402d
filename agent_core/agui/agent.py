"""A remote AG-UI agent as the chat's agent: the turn goes to its endpoint, the rest stays the lab's.

An OpenAI-compatible provider is not the only source of replies: a LangGraph, ADK or Mastra agent
served over AG-UI is one too (Settings → Provider → Chat agent). `AguiAgent.run_turn` speaks the
same events as `ChatAgent.run_turn`, so the chat page, its runner and the engine need nothing new:
the user's message is stored first, the conversation so far goes out as a RunAgentInput (threadId
= the conversation, runId = the recorded run, the state the agent last left), the reply streams
in, tool calls become tool steps, `lab.memory.*` events memory steps, and the reply is stored like
any other. A run that finishes with an *interrupt* is the agent asking: the turn says so, and the
next message answers it (`resume`). The lab's own memory does not run on these turns: the memory
mode is forwarded (`forwardedProps.memoryMode`) for an agent that has a use for it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlmodel import Session

from agent_core.agui.client import AguiClient, AguiError, run_input
from agent_core.agui.turns import TurnReader, interrupt_prompt
from agent_core.chat.agent import KEY_NOTICE, AgentEvent, ChatAgent, TurnResult, clean_user_text, last_events
from agent_core.chat.conversations import Message
from agent_core.runtime.runs import Run, Step, StepHandle, StepRecorder, dumps, load_run

if TYPE_CHECKING:
    from agent_core.lab import Lab

AGENT, ARCHITECTURE = "agui", "agui"
STATE_STEP = "agui state"
UNFINISHED = "the AG-UI agent's stream ended before its run did (no RUN_FINISHED or RUN_ERROR)"
WAITING = "waiting"


class _Previous:
    """What the conversation's last AG-UI turn left: its run, the agent's state, open interrupts."""

    def __init__(self, lab: Lab, past: list[Message]) -> None:
        self.run: Run | None = None
        self.state: object = None
        self.interrupts: list[dict] = []
        self.waiting: list[Step] = []
        last = next((m for m in reversed(past) if m.role == "assistant"), None)
        loaded = load_run(lab.engine, last.run_id) if last and last.run_id else None
        if loaded is None or loaded[0].agent != AGENT:
            return
        self.run, steps = loaded
        for step in steps:
            out = step.output
            if step.kind == "note" and step.name == STATE_STEP and isinstance(out, dict):
                self.state = out.get("state")
        if self.run.status == WAITING:
            self.waiting = [s for s in steps if s.kind == "human_input" and s.status == WAITING]
            for s in self.waiting:
                found = s.input.get("interrupts", []) if isinstance(s.input, dict) else []
                self.interrupts += [i for i in found if isinstance(i, dict) and i.get("id")]

    def answered(self, lab: Lab) -> None:
        """The interrupts were answered: their steps and the run are done."""
        if self.run is None or not self.waiting:
            return
        with Session(lab.engine) as s:
            for step in self.waiting:
                step.status = "done"
                s.add(step)
            run = s.get(Run, self.run.id)
            if run is not None:
                run.status = "done"
                s.add(run)
            s.commit()


def _json_or_text(content: object) -> object:
    """A tool result's content (a string on the wire) as the JSON it holds, if it is JSON."""
    if isinstance(content, str):
        try:
            return json.loads(content)
        except json.JSONDecodeError:
            pass
    return content


class _OpenTools:
    """Tool steps open from TOOL_CALL_START to TOOL_CALL_RESULT, so the turn shows them running."""

    def __init__(self, rec: StepRecorder) -> None:
        self.rec = rec
        self._open: dict[str, tuple[AbstractContextManager[StepHandle], StepHandle]] = {}

    def start(self, call: dict) -> None:
        step = self.rec.step("tool_call", call["name"], {"arguments": call["arguments"]})
        self._open[call["id"]] = (step, step.__enter__())

    def finish(self, call: dict) -> None:
        if call["id"] not in self._open:
            self.start(call)
        step, handle = self._open.pop(call["id"])
        handle.step.input_json = dumps({"arguments": call["arguments"]})  # as they finished streaming
        handle.output = _json_or_text(call.get("result"))
        step.__exit__(None, None, None)

    def close(self, why: str) -> list[str]:
        """Steps the run left open (a frontend tool the agent expects the app to run): error."""
        names = []
        for step, handle in self._open.values():
            handle.status, handle.error = "error", why
            names.append(handle.step.name)
            step.__exit__(None, None, None)
        self._open.clear()
        return names


class AguiAgent(ChatAgent):
    """A ChatAgent whose turns a remote AG-UI endpoint answers (history, `turn` and storage shared)."""

    def __init__(
        self,
        lab: Lab,
        profile: str = "default",
        url: str = "",
        *,
        memory_mode: str | None = None,
        client: AguiClient | None = None,
    ) -> None:
        super().__init__(lab, profile, agent=AGENT, memory_mode=memory_mode, architecture=ARCHITECTURE)
        url = url or lab.settings.agui_url
        self.client = client or AguiClient(url, timeout_s=lab.settings.provider.timeout_s)

    def run_turn(
        self,
        conversation_id: str,
        user_text: str,
        *,
        stream: bool | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        branch_of: str | None = None,
        existing_user_message: str | None = None,
    ) -> Iterator[AgentEvent]:
        """One turn answered by the AG-UI agent; the same events as `ChatAgent.run_turn`, and
        "interrupt" {interrupts} when the agent asks for input (the turn's status is then "waiting")."""
        typed, user_text = clean_user_text(user_text)
        lab, stream = self.lab, self.lab.settings.streaming if stream is None else stream
        t0 = time.perf_counter()
        res = TurnResult()
        user_msg, rec = self.open_turn(conversation_id, user_text, branch_of, existing_user_message)
        res.user_message_id, res.run_id = user_msg.id, rec.run.id
        yield AgentEvent("started", {"run_id": rec.run.id, "user_message_id": user_msg.id})
        if user_text != typed:
            yield AgentEvent("notice", {"text": KEY_NOTICE})
        past = self.history(conversation_id, exclude=user_msg.id)
        before = _Previous(lab, past)
        body = run_input(
            conversation_id,
            rec.run.id,
            [*({"id": m.id, "role": m.role, "content": m.content} for m in past)]
            + [{"id": user_msg.id, "role": "user", "content": user_text}],
            state=before.state,
            tools=[t["function"] for t in self.tools.schemas()],
            context=[{"description": "The user's profile in Agent UX Lab", "value": self.profile}],
            resume=[
                {"interruptId": i["id"], "status": "resolved", "payload": user_text}
                for i in before.interrupts
            ],
            forwarded_props={"profile": self.profile, "memoryMode": self.memory_mode},
        )
        reader = TurnReader(before.state)
        tools = _OpenTools(rec)
        status = "complete"
        try:
            with rec.step("llm_call", "AG-UI agent", {"url": self.client.url, "input": body}) as h:
                for event in self.client.stream(body, should_stop):
                    for kind, data in reader.feed(event):
                        if kind == "token" and res.ttft_ms is None:
                            res.ttft_ms = (time.perf_counter() - t0) * 1000
                        yield from self._item(kind, data, rec, tools, res, stream=stream)
                    if reader.finished:
                        break
                h.output = {"content": reader.reply}
                if should_stop() and not reader.finished:
                    status, h.status = "stopped", "stopped"
                elif reader.error or not reader.finished:
                    res.error = (
                        f"the AG-UI agent's run failed: {reader.error}" if reader.error else UNFINISHED
                    )
                    h.status, h.error = "error", res.error
        except AguiError as exc:
            res.error = str(exc)
        if res.error:
            status = "error"
        left = tools.close("the run ended without the tool's result (tools run by the app are not supported)")
        if left:
            yield AgentEvent(
                "notice", {"text": f"the agent left {', '.join(left)} for the app to run: not supported yet"}
            )
        if not stream and reader.reply:
            yield AgentEvent("token", {"text": reader.reply})
        if reader.state:
            rec.record("note", STATE_STEP, None, {"state": reader.state})
        res.reply = reader.reply
        if status == "complete" and reader.interrupts:
            status = WAITING
            res.reply = reader.reply or interrupt_prompt(reader.interrupts)
            rec.record(
                "human_input",
                interrupt_prompt(reader.interrupts)[:80],
                {"interrupts": reader.interrupts},
                status=WAITING,
            )
        if status != "error" and before.interrupts:
            before.answered(lab)
        res.latency_ms = (time.perf_counter() - t0) * 1000
        reply_msg = lab.conversations.add(
            Message(
                conversation_id=conversation_id,
                role="assistant",
                content=res.reply,
                status="complete" if status == WAITING else status,
                error=res.error,
                run_id=rec.run.id,
                latency_ms=res.latency_ms,
                ttft_ms=res.ttft_ms,
            )
        )
        res.message_id = reply_msg.id
        rec.finish({"complete": "done"}.get(status, status), res.error)
        yield from last_events(res, status)

    def _item(
        self, kind: str, data: dict, rec: StepRecorder, tools: _OpenTools, res: TurnResult, *, stream: bool
    ) -> Iterator[AgentEvent]:
        """One turn item of the stream: recorded as the step it is, handed on as the chat's event."""
        if kind == "token":
            if stream:
                yield AgentEvent("token", data)
        elif kind == "tool_started":
            tools.start(data)
        elif kind == "tool":
            tools.finish(data)
        elif kind == "recalled":
            rec.record("memory_read", "recall (AG-UI agent)", None, {"memories": data["memories"]})
            res.recalled += data["memories"]
            yield AgentEvent("recalled", data)
        elif kind == "saved":
            rec.record("memory_write", "write (AG-UI agent)", None, data)
            res.written.append(data)
            yield AgentEvent("saved", data)
        elif kind == "note":
            yield AgentEvent("notice", data)
        elif kind == "interrupt":
            yield AgentEvent("interrupt", data)
