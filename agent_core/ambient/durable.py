"""Durable runs: an agent's run is plain code whose every step is persisted; re-running replays.

Re-executing a run's function consumes the steps already recorded (same order, same kind/name)
instead of redoing them, then records new ones. That one mechanism gives resume after a crash,
resume after a pause or a human answer, and forks: copy steps ≤ N into a new run and execute it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel import Session

from agent_core.ambient.events import Event
from agent_core.ambient.inbox import ALLOW, ANSWERED, InboxItem
from agent_core.runtime.runs import Step, StepHandle, StepRecorder, dumps
from memory.prompts import clean_fact

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from agent_core.ambient.hub import AmbientAgent, AmbientHub

# Steps a person adds to a fork (not requested by the agent's code): consumed wherever they sit.
INJECTED = {("human_input", "correction"), ("memory_write", "learn:correction")}


class RunPaused(Exception):
    """The agent was paused; the run stops at this step boundary and resumes by replay."""


class WaitingForHuman(Exception):
    def __init__(self, item: InboxItem) -> None:
        super().__init__(f"waiting for an answer to {item.kind} {item.id}")
        self.item = item


class RunCtx:
    def __init__(self, hub: AmbientHub, agent: AmbientAgent, rec: StepRecorder, steps: list[Step]) -> None:
        self.hub = hub
        self.agent = agent
        self.rec = rec
        self.run_id = rec.run.id
        done = [s for s in steps if s.status == "done"]
        self._replay = deque(s for s in done if (s.kind, s.name) not in INJECTED)
        # corrections apply to every later prompt, so they are known before the first one is built
        self.corrections = [
            str(_as_dict(s.output).get("instruction", "")) for s in done if s.name == "correction"
        ]
        self.deferred: list[tuple[str, dict]] = []
        self._waits = 0
        self.replayed = 0
        self.event: Event | None = None

    # -- the step boundary ----------------------------------------------------------------------
    def _next_recorded(self, kind: str, name: str) -> Step | None:
        if not self._replay:
            return None
        st = self._replay[0]
        if (st.kind, st.name) != (kind, name):
            self.hub.discard_steps(list(self._replay))  # the fork went another way
            self._replay.clear()
            return None
        self.replayed += 1
        return self._replay.popleft()

    def step(self, kind: str, name: str, input: object, fn: Callable[[StepHandle], object]) -> object:  # noqa: A002
        recorded = self._next_recorded(kind, name)
        if recorded is not None:
            return recorded.output
        if self.hub.is_paused(self.agent.name):
            raise RunPaused(self.agent.name)
        with self.rec.step(kind, name, input) as h:
            h.output = fn(h)
            return json.loads(dumps(h.output))

    # -- conveniences -------------------------------------------------------------------------------
    def llm(self, name: str, messages: list[dict]) -> dict:
        def call(h: StepHandle) -> object:
            result = self.hub.lab.llm.complete(messages)
            h.prompt_tokens, h.completion_tokens = result.prompt_tokens, result.completion_tokens
            try:
                obj = json.loads(result.content)
            except json.JSONDecodeError:
                obj = {"decision": "notify", "reasoning": f"Unreadable model answer: {result.content[:200]}"}
            return obj if isinstance(obj, dict) else {"decision": "notify", "reasoning": str(obj)}

        out = self.step("llm_call", name, {"model": self.hub.lab.llm.model, "messages": messages}, call)
        return out if isinstance(out, dict) else {}

    def output(self, name: str, value: object) -> object:
        return self.step("output", name, None, lambda h: value)

    def tool(self, action: str, args: dict) -> object:
        """Execute an action once per (run, step): replay never repeats it, a crash re-run is idempotent."""

        def run(h: StepHandle) -> object:
            return self.hub.execute_action(self.agent, self.run_id, h.step.seq, action, args)

        return self.step("tool_call", action, args, run)

    def human(self, kind: str, title: str, description: str, action: str, args: dict, priority: int) -> dict:
        """Raise an inbox item and wait for its answer; on replay the recorded answer comes back."""
        self._waits += 1
        key = f"{self.run_id}:{self._waits}"
        name = f"answer:{kind}"
        recorded = self._next_recorded("human_input", name)
        if recorded is not None:
            return recorded.output if isinstance(recorded.output, dict) else {}
        item = self.hub.inbox.by_wait_key(key)
        if item is not None and item.status == ANSWERED and item.response:
            if self.hub.is_paused(self.agent.name):
                raise RunPaused(self.agent.name)
            with self.rec.step("human_input", name, {"item": item.id}) as h:
                h.output = item.response
            return item.response
        if item is None:
            allow = ALLOW[kind]
            item = self.hub.inbox.add(
                InboxItem(
                    wait_key=key,
                    kind=kind,
                    agent=self.agent.name,
                    profile=self.agent.profile,
                    run_id=self.run_id,
                    event_id=self.event.id if self.event else "",
                    title=title,
                    description=description,
                    action_json=json.dumps({"action": action, "args": args}, ensure_ascii=False),
                    allow_accept=allow["accept"],
                    allow_edit=allow["edit"],
                    allow_respond=allow["respond"],
                    allow_ignore=allow["ignore"],
                    priority=priority,
                    created_at=self.hub.clock.now(),
                )
            )
        raise WaitingForHuman(item)

    def learn(self, lessons: dict, source_text: str) -> None:
        """Feed memory now (hot path), later (background), or not at all (off).

        Background is chat's pipeline: the facts become a persisted `MemoryJob` (recorded as a step,
        so a resumed run does not queue them twice) that the debounced worker writes and files on
        this run; rules become a new instructions version at the end of the run."""
        if not (lessons.get("rules") or lessons.get("facts")):
            return
        mode = self.agent.memory_mode
        if mode == "off":
            self.step("note", "memory off: not learned", lessons, lambda h: lessons)
        elif mode == "background":
            facts = [f for f in (clean_fact(x) for x in lessons.get("facts", [])) if f]
            if facts:  # a persisted memory job now (crash-safe), written by the debounced worker
                self.step(
                    "memory_write",
                    "learn (queued)",
                    {"facts": facts},
                    lambda h: self._enqueue(facts, source_text, h),
                )
            if lessons.get("rules"):  # instructions: a new version at the end of the run
                self.deferred.append((source_text, {"rules": lessons["rules"]}))
        else:
            self._write(lessons, source_text, "hot_path")

    def _write(self, lessons: dict, source_text: str, mode: str) -> None:
        self.step(
            "memory_write",
            "learn",
            lessons,
            lambda h: self.hub.apply_lessons(self.agent, lessons, mode, self.run_id, h.id, source_text),
        )

    def _enqueue(self, facts: list[dict], source_text: str, h: StepHandle) -> dict:
        payload = {"facts": facts, "user_text": source_text, "run_id": self.run_id, "step_id": h.id}
        job = self.hub.lab.background.enqueue(self.agent.profile, payload, agent=self.agent.name)
        return {"job_id": job, "facts": [f["content"] for f in facts], "mode": "background"}

    def flush(self) -> None:
        for text, lessons in self.deferred:
            self._write(lessons, text, "background")
        self.deferred.clear()


def copy_steps(engine: Engine, steps: list[Step], new_run_id: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        for st in steps:
            data = st.model_dump(exclude={"id", "run_id"})
            s.add(Step(run_id=new_run_id, **data))
        s.commit()


def _as_dict(value: object) -> dict:
    """A recorded step's output as a dict (anything else reads as empty)."""
    return value if isinstance(value, dict) else {}
