"""SQLModel tables of the memory system (the source of truth; Chroma is derived from these)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from memory.clock import utcnow

SEMANTIC = "semantic"
EPISODIC = "episodic"
KINDS = (SEMANTIC, EPISODIC)


def new_id() -> str:
    return uuid.uuid4().hex


class Memory(SQLModel, table=True):
    """One semantic fact or one episode, with its validity window and write bookkeeping.

    A superseded fact keeps its row: `valid_to` is set and `superseded_by` points to the new one,
    so history survives consolidation. `deleted_at` marks user deletions (the text is wiped).
    """

    id: str = Field(default_factory=new_id, primary_key=True)
    namespace: str = Field(index=True)
    kind: str = Field(default=SEMANTIC, index=True)
    content: str
    slot: str | None = Field(default=None, index=True)
    value: str | None = None
    importance: float = 0.5
    confidence: float = 0.8
    pinned: bool = Field(default=False, index=True)
    flagged: str | None = None
    # episodic fields
    speaker: str | None = None
    """Who said it (an episode's speaker: a LoCoMo name, an email's sender); recall boosts
    memories whose speaker the query names."""
    situation: str | None = None
    actions_json: str | None = None
    outcome: str | None = None
    feedback_score: float = 0.0
    # provenance
    source_run_id: str | None = Field(default=None, index=True)
    source_step_id: str | None = None
    source_message_id: str | None = Field(default=None, index=True)
    source_text: str | None = None
    # validity (world time) and bookkeeping (system time)
    valid_from: datetime = Field(default_factory=utcnow)
    valid_to: datetime | None = Field(default=None, index=True)
    superseded_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
    # write path
    write_mode: str = "manual"
    write_latency_ms: float = 0.0
    recallable_at: datetime | None = None
    embed_status: str = Field(default="pending", index=True)
    embedder: str | None = None
    job_id: str | None = Field(default=None, index=True)

    @property
    def current(self) -> bool:
        return self.valid_to is None and self.deleted_at is None


class MemoryEvent(SQLModel, table=True):
    """Every change to a memory (the history table users can audit)."""

    id: int | None = Field(default=None, primary_key=True)
    memory_id: str = Field(index=True)
    namespace: str = Field(index=True)
    event: str  # ADD, UPDATE, SUPERSEDE, DELETE, NOOP, EDIT, PIN, UNPIN, FEEDBACK
    old: str | None = None
    new: str | None = None
    actor: str = "system"
    at: datetime = Field(default_factory=utcnow)


class MemoryJob(SQLModel, table=True):
    """A unit of memory work (extraction of one turn) persisted before it runs.

    Facts and the job's `done` mark commit in one transaction, so a crash mid-job neither loses
    the turn (the job re-runs at start-up) nor duplicates its facts.
    """

    id: str = Field(default_factory=new_id, primary_key=True)
    namespace: str = Field(index=True)
    agent: str = "assistant"
    mode: str = "background"
    payload_json: str
    status: str = Field(default="pending", index=True)  # pending, done, failed
    error: str | None = None
    attempts: int | None = Field(default=0, nullable=True)
    """Runs that raised so far; a job fails for good after `background.MAX_ATTEMPTS`."""
    retry_at: datetime | None = None
    """A job that raised waits until then (backoff) before it runs again."""
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    latency_ms: float = 0.0


class Instruction(SQLModel, table=True):
    """One version of an agent's procedural memory (its instructions)."""

    id: int | None = Field(default=None, primary_key=True)
    namespace: str = Field(index=True)
    agent: str = Field(index=True)
    version: int
    text: str
    reason: str = ""
    author: str = "system"
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
