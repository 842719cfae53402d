"""Runs and steps: every LLM call, tool call, memory read/write and human input, persisted as it happens.

One record powers the trace viewer, the ambient timeline (rewind/fork), cell provenance and the
benchmarks' latency figures. Secrets are scrubbed before anything is written.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from memory.clock import utcnow
from memory.secrets import scrub

STEP_KINDS = (
    "llm_call",
    "tool_call",
    "memory_read",
    "memory_write",
    "human_input",
    "input",
    "output",
    "note",
)


def dumps(obj: object) -> str:
    return scrub(json.dumps(obj, ensure_ascii=False, default=str))


class Run(SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    kind: str = Field(default="chat", index=True)  # chat, ambient, sheet, collab, memlab
    agent: str = "assistant"
    profile: str = Field(default="default", index=True)
    title: str = ""
    status: str = Field(default="running", index=True)  # running, done, error, stopped, paused, waiting
    architecture: str = "single_call"
    memory_mode: str = "off"
    conversation_id: str | None = Field(default=None, index=True)
    parent_run_id: str | None = None
    forked_from_step: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    latency_ms: float = 0.0
    error: str | None = None


class _JsonIO:
    """A step's input and output, stored as JSON text."""

    input_json: str
    output_json: str

    @property
    def input(self) -> object:
        return json.loads(self.input_json)

    @property
    def output(self) -> object:
        return json.loads(self.output_json)


class Step(_JsonIO, SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    run_id: str = Field(index=True)
    seq: int
    parent_step_id: str | None = None
    kind: str
    name: str = ""
    input_json: str = "null"
    output_json: str = "null"
    status: str = "running"  # running, done, error, stopped, discarded
    error: str | None = None
    started_at: datetime = Field(default_factory=utcnow)
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class StepNote(_JsonIO):
    """A step's fields without ORM state: what step events carry out of the agent engine.

    Unpickling a `Step` rebuilds SQLAlchemy instance state in Python; with eight ambient agents
    that was the engine reader thread's main cost, taken from the GUI process's GIL.
    """

    id: str
    run_id: str
    seq: int
    kind: str
    name: str
    status: str
    error: str | None
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    mode: str | None
    input_json: str
    output_json: str

    @classmethod
    def of(cls, step: Step) -> StepNote:
        return cls(*(getattr(step, f.name) for f in fields(cls)))


class StepHandle:
    """The step being recorded; set `output`, tokens or `error` before the block ends."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self.output: object = None
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.status = "done"
        self.error: str | None = None

    @property
    def id(self) -> str:
        return self.step.id


class StepRecorder:
    """Persists one run's steps; listeners hear every start and finish (views, timelines)."""

    def __init__(
        self, engine: Engine, run: Run, listeners: list[Callable[[str, Step], None]] | None = None
    ) -> None:
        self.engine = engine
        self.run = run
        self.listeners = listeners if listeners is not None else []
        self._seq = 0
        self._lock = threading.Lock()
        with Session(engine, expire_on_commit=False) as s:
            existing = s.exec(
                select(Step.seq).where(Step.run_id == run.id).order_by(col(Step.seq).desc())
            ).first()
            self._seq = existing or 0
            if s.get(Run, run.id) is None:
                s.add(run)
                s.commit()

    @classmethod
    def start(cls, engine: Engine, listeners: list | None = None, **run_fields: Any) -> StepRecorder:
        """Record a new run; `run_fields` are Run's fields (a str title is scrubbed of secrets)."""
        if isinstance(title := run_fields.get("title"), str):
            run_fields["title"] = scrub(title)
        return cls(engine, Run(**run_fields), listeners)

    def _emit(self, event: str, step: Step) -> None:
        for cb in list(self.listeners):
            cb(event, step)

    @contextmanager
    def step(
        self, kind: str, name: str = "", input: object = None, *, mode: str | None = None
    ) -> Iterator[StepHandle]:  # noqa: A002
        with self._lock:
            self._seq += 1
            seq = self._seq
        st = Step(run_id=self.run.id, seq=seq, kind=kind, name=name, input_json=dumps(input), mode=mode)
        with Session(self.engine, expire_on_commit=False) as s:
            s.add(st)
            s.commit()
        self._emit("started", st)
        handle = StepHandle(st)
        t0 = time.perf_counter()
        try:
            yield handle
        except BaseException as exc:
            handle.status = "stopped" if isinstance(exc, GeneratorExit | KeyboardInterrupt) else "error"
            handle.error = handle.error or f"{type(exc).__name__}: {exc}"
            raise
        finally:
            st.latency_ms = (time.perf_counter() - t0) * 1000
            st.output_json = dumps(handle.output)
            st.prompt_tokens, st.completion_tokens = handle.prompt_tokens, handle.completion_tokens
            st.status, st.error = handle.status, scrub(handle.error) if handle.error else None
            with Session(self.engine, expire_on_commit=False) as s:
                s.add(st)
                s.commit()
            self._emit("finished", st)

    def record(
        self, kind: str, name: str, input: object = None, output: object = None, **extra: object
    ) -> Step:  # noqa: A002
        """A step that has already happened (human input, an instant memory read)."""
        with self.step(kind, name, input) as h:
            h.output = output
            for k, v in extra.items():
                setattr(h, k, v)
        return h.step

    def finish(self, status: str = "done", error: str | None = None) -> None:
        with Session(self.engine, expire_on_commit=False) as s:
            run = s.get(Run, self.run.id) or self.run
            run.status = status
            run.error = scrub(error) if error else None
            run.finished_at = utcnow()
            run.latency_ms = (run.finished_at - run.created_at).total_seconds() * 1000
            s.add(run)
            s.commit()
            self.run = run


def load_run(engine: Engine, run_id: str) -> tuple[Run, list[Step]] | None:
    with Session(engine, expire_on_commit=False) as s:
        run = s.get(Run, run_id)
        if run is None:
            return None
        steps = list(s.exec(select(Step).where(Step.run_id == run_id).order_by(col(Step.seq))))
        return run, steps


def list_runs(
    engine: Engine, *, profile: str | None = None, kind: str | None = None, limit: int = 200
) -> list[Run]:
    with Session(engine, expire_on_commit=False) as s:
        q = select(Run)
        if profile:
            q = q.where(Run.profile == profile)
        if kind:
            q = q.where(Run.kind == kind)
        return list(s.exec(q.order_by(col(Run.created_at).desc()).limit(limit)))


def export_run(engine: Engine, run_id: str) -> dict:
    """A run with its steps as plain JSON (already scrubbed at write time, scrubbed again here)."""
    loaded = load_run(engine, run_id)
    if loaded is None:
        raise KeyError(f"no run {run_id}")
    run, steps = loaded
    data = {
        "run": json.loads(run.model_dump_json()),
        "steps": [
            {
                **json.loads(s.model_dump_json(exclude={"input_json", "output_json"})),
                "input": s.input,
                "output": s.output,
            }
            for s in steps
        ],
    }
    return json.loads(scrub(json.dumps(data, ensure_ascii=False)))


def mark_interrupted(
    engine: Engine, before: datetime, reason: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Runs left "running" by a process that died (started before `before`) become "interrupted",
    so no trace or timeline shows a run as live for ever; returns how many."""
    with Session(engine, expire_on_commit=False) as s:
        q = select(Run).where(Run.status == "running", col(Run.created_at) < before)
        if kinds:
            q = q.where(col(Run.kind).in_(kinds))
        runs = list(s.exec(q))
        for run in runs:
            run.status, run.error, run.finished_at = "interrupted", reason, utcnow()
            s.add(run)
        s.commit()
    return len(runs)
