"""Provenance both ways: a chat message → the memories it produced; a memory → its turn and extraction call.

Links: `Memory.source_run_id` (the chat turn's run), `source_message_id` (its user or reply message),
`source_step_id` (the hot-path `memory_write` step, or the background extraction `llm_call` step of a
run of kind "memory") and `job_id` (the background `MemoryJob`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from agent_core.chat.conversations import Message
from agent_core.runtime.runs import Run, Step
from memory.models import Memory, MemoryJob
from memory.timetravel import aware


@dataclass
class ExtractionCall:
    """The model call that produced a memory: prompt, model, tokens, latency."""

    step_id: str
    run_id: str
    run_kind: str
    purpose: str
    model: str
    messages: list[dict]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    output: object = None


@dataclass
class Provenance:
    memory: Memory
    run: Run | None = None
    messages: list[Message] = field(default_factory=list)
    extraction: ExtractionCall | None = None
    job: MemoryJob | None = None

    def as_dict(self) -> dict:
        ex = self.extraction
        return {
            "memory_id": self.memory.id,
            "content": self.memory.content,
            "write_mode": self.memory.write_mode,
            "run_id": self.run.id if self.run else None,
            "conversation_id": self.run.conversation_id if self.run else None,
            "messages": [{"id": m.id, "role": m.role, "content": m.content} for m in self.messages],
            "extraction": None
            if ex is None
            else {
                "step_id": ex.step_id,
                "run_id": ex.run_id,
                "run_kind": ex.run_kind,
                "purpose": ex.purpose,
                "model": ex.model,
                "prompt_tokens": ex.prompt_tokens,
                "completion_tokens": ex.completion_tokens,
                "latency_ms": round(ex.latency_ms, 2),
                "prompt": str(ex.messages[-1].get("content", ""))[:600] if ex.messages else "",
            },
            "job": None if self.job is None else {"id": self.job.id, "status": self.job.status},
        }


def turn_run_id(engine: Engine, message_id: str) -> str | None:
    """The run of the turn a message belongs to (a user message's run is its reply's)."""
    with Session(engine, expire_on_commit=False) as s:
        msg = s.get(Message, message_id)
        if msg is None:
            return None
        if msg.run_id:
            return msg.run_id
        later = s.exec(
            select(Message)
            .where(
                Message.conversation_id == msg.conversation_id,
                Message.role == "assistant",
                col(Message.created_at) >= msg.created_at,
            )
            .order_by(col(Message.created_at))
        ).first()
        return later.run_id if later else None


def memories_from_message(engine: Engine, message_id: str, *, include_history: bool = True) -> list[Memory]:
    """Every memory this message's turn produced (hot path and background, episodes included)."""
    run_id = turn_run_id(engine, message_id)
    with Session(engine, expire_on_commit=False) as s:
        ids = {message_id}
        if run_id:
            ids |= {m.id for m in s.exec(select(Message).where(Message.run_id == run_id))}
        cond: ColumnElement[bool] = col(Memory.source_message_id).in_(ids)
        if run_id:
            cond = or_(cond, Memory.source_run_id == run_id)
        q = select(Memory).where(cond)
        if not include_history:
            q = q.where(col(Memory.valid_to).is_(None))
        return list(s.exec(q.order_by(col(Memory.created_at))))


def memory_provenance(engine: Engine, memory_id: str) -> Provenance | None:
    """Where a memory came from: its turn (run and messages), the extraction call and the job."""
    with Session(engine, expire_on_commit=False) as s:
        mem = s.get(Memory, memory_id)
        if mem is None:
            return None
        out = Provenance(mem)
        if mem.source_run_id:
            out.run = s.get(Run, mem.source_run_id)
            user_ids = {mem.source_message_id} if mem.source_message_id else set()
            out.messages = list(
                s.exec(
                    select(Message)
                    .where(or_(Message.run_id == mem.source_run_id, col(Message.id).in_(user_ids)))
                    .order_by(col(Message.created_at))
                )
            )
            if out.run and out.run.conversation_id and not any(m.role == "user" for m in out.messages):
                reply = next((m for m in out.messages if m.role == "assistant"), None)
                if reply is not None:
                    prev = s.exec(
                        select(Message)
                        .where(
                            Message.conversation_id == reply.conversation_id,
                            Message.role == "user",
                            col(Message.created_at) <= reply.created_at,
                        )
                        .order_by(col(Message.created_at).desc())
                    ).first()
                    out.messages = ([prev] if prev else []) + out.messages
        if mem.job_id:
            out.job = s.get(MemoryJob, mem.job_id)
        step = s.get(Step, mem.source_step_id) if mem.source_step_id else None
        if step is not None and step.kind != "llm_call":
            # hot path: the call that decided to save is the llm_call just before the memory_write
            step = s.exec(
                select(Step)
                .where(Step.run_id == step.run_id, Step.kind == "llm_call", col(Step.seq) < step.seq)
                .order_by(col(Step.seq).desc())
            ).first()
        if step is not None:
            run = s.get(Run, step.run_id)
            inp = step.input if isinstance(step.input, dict) else {}
            out.extraction = ExtractionCall(
                step_id=step.id,
                run_id=step.run_id,
                run_kind=run.kind if run else "",
                purpose=step.name,
                model=str(inp.get("model", "")),
                messages=list(inp.get("messages", [])),
                prompt_tokens=step.prompt_tokens,
                completion_tokens=step.completion_tokens,
                latency_ms=step.latency_ms,
                output=step.output,
            )
        return out


def write_counts(engine: Engine, run_id: str) -> dict[str, int]:
    """Stored vs discarded (and the rest) summed over a turn's memory_write steps (hot path and background)."""
    totals: dict[str, int] = {}
    with Session(engine, expire_on_commit=False) as s:
        steps = list(s.exec(select(Step).where(Step.run_id == run_id, Step.kind == "memory_write")))
    for st in steps:
        out = st.output if isinstance(st.output, dict) else {}
        for k, v in (out.get("counts") or {}).items():
            totals[k] = totals.get(k, 0) + int(v)
    return totals


@dataclass
class TurnPoint:
    """A point on a profile's timeline: the end of one chat turn."""

    index: int
    run_id: str
    title: str
    at: datetime


def turn_points(engine: Engine, profile: str) -> list[TurnPoint]:
    """The profile's chat turns, oldest first, each with the time it ended (for time travel)."""
    with Session(engine, expire_on_commit=False) as s:
        runs = list(
            s.exec(
                select(Run).where(Run.profile == profile, Run.kind == "chat").order_by(col(Run.created_at))
            )
        )
    return [
        TurnPoint(i + 1, r.id, r.title, aware(r.finished_at or r.created_at) or r.created_at)
        for i, r in enumerate(runs)
    ]
