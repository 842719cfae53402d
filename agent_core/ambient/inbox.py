"""The agent inbox and the ambient bookkeeping tables, persisted so a restart resumes.

An item is an interrupt (LangChain Agent Inbox shape): an `action_request {action, args}`, a
description of what the agent wants and why, and allow flags per kind. `ProcessedEvent` makes event
handling exactly-once; `AmbientAction` makes executed actions idempotent per (run, step).
"""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Index, case, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from agent_core.runtime.runs import Run
from memory.clock import utcnow
from memory.db import create_all

NOTIFY, QUESTION, REVIEW = "notify", "question", "review"
KINDS = (NOTIFY, QUESTION, REVIEW)
RESPONSES = ("accept", "edit", "response", "ignore")
# executive-ai-assistant: notify and question allow respond or ignore; drafts allow all four.
ALLOW: dict[str, dict[str, bool]] = {
    NOTIFY: {"accept": False, "edit": False, "respond": True, "ignore": True},
    QUESTION: {"accept": False, "edit": False, "respond": True, "ignore": True},
    REVIEW: {"accept": True, "edit": True, "respond": True, "ignore": True},
}
PENDING, ANSWERED, SUPERSEDED = "pending", "answered", "superseded"


class InboxItem(SQLModel, table=True):
    __tablename__ = "ambient_item"

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    wait_key: str = Field(index=True, unique=True)  # run_id:n — one item per wait, even after a crash
    kind: str = Field(index=True)
    agent: str = Field(index=True)
    profile: str = "default"
    run_id: str = Field(index=True)
    event_id: str = ""
    title: str = ""
    description: str = ""
    action_json: str = "{}"
    allow_accept: bool = False
    allow_edit: bool = False
    allow_respond: bool = True
    allow_ignore: bool = True
    priority: int = 1  # 0 low … 3 urgent
    created_at: datetime = Field(default_factory=utcnow)
    read: bool = False
    status: str = Field(default=PENDING, index=True)
    response_json: str | None = None
    answered_at: datetime | None = None

    @property
    def action_request(self) -> dict:
        try:
            obj = json.loads(self.action_json)
        except json.JSONDecodeError:
            return {"action": "?", "args": {}, "raw": self.action_json}
        return obj if isinstance(obj, dict) else {"action": "?", "args": {}, "raw": obj}

    @property
    def response(self) -> dict | None:
        return json.loads(self.response_json) if self.response_json else None

    def allows(self, response_type: str) -> bool:
        flag = "respond" if response_type == "response" else response_type
        return bool(getattr(self, f"allow_{flag}", False))


# The inbox is read most urgent first, oldest first, a page at a time: these indexes keep a page
# and the per-agent counts as cheap with 100k unanswered items as with ten.
_queue = (col(InboxItem.priority).desc(), col(InboxItem.created_at), col(InboxItem.id))
Index("ix_ambient_item_queue", col(InboxItem.status), *_queue)
Index("ix_ambient_item_agent_queue", col(InboxItem.agent), col(InboxItem.status), *_queue)
Index("ix_ambient_item_counts", col(InboxItem.status), col(InboxItem.agent), col(InboxItem.read))


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "ambient_processed"

    key: str = Field(primary_key=True)  # agent:event_id
    agent: str = Field(index=True)
    event_id: str
    run_id: str
    event_json: str = "{}"  # the event itself, so a run that crashed before its first step can resume
    status: str = "started"  # started, done
    ordinal: int = Field(default=0, index=True)  # arrival order, for the per-window measures
    created_at: datetime = Field(default_factory=utcnow)


class AmbientAction(SQLModel, table=True):
    __tablename__ = "ambient_action"

    key: str = Field(primary_key=True)  # run_id:seq — executing twice is a no-op
    agent: str = Field(index=True)
    run_id: str
    action: str
    args_json: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)


TABLES = [SQLModel.metadata.tables[m.__tablename__] for m in (InboxItem, ProcessedEvent, AmbientAction)]
"""The ambient tables (by name from the metadata: SQLModel does not declare `__table__` to mypy)."""


_CREATED: weakref.WeakSet[Engine] = weakref.WeakSet()


def create_ambient_tables(engine: Engine) -> None:
    """Once per engine (schema inspection cost 12 ms per hub, on the GUI thread when a page opened)."""
    if engine not in _CREATED:
        create_all(engine, TABLES)
        _CREATED.add(engine)


class Inbox:
    """Items of every ambient agent; listeners hear ("added" | "answered" | "reopened" | "read" | "superseded", item)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_ambient_tables(engine)
        self.listeners: list[Callable[[str, InboxItem], None]] = []
        self._lock = threading.Lock()

    def _emit(self, event: str, item: InboxItem) -> None:
        for cb in list(self.listeners):
            cb(event, item)

    def add(self, item: InboxItem) -> InboxItem:
        """Insert unless an item for the same wait exists (then return that one)."""
        with self._lock, Session(self.engine, expire_on_commit=False) as s:
            existing = s.exec(select(InboxItem).where(InboxItem.wait_key == item.wait_key)).first()
            if existing is not None:
                return existing
            s.add(item)
            s.commit()
        self._emit("added", item)
        return item

    def get(self, item_id: str) -> InboxItem | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(InboxItem, item_id)

    def by_wait_key(self, key: str) -> InboxItem | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.exec(select(InboxItem).where(InboxItem.wait_key == key)).first()

    def items(
        self,
        *,
        agent: str | None = None,
        status: str | None = PENDING,
        run_id: str | None = None,
        limit: int | None = None,
    ) -> list[InboxItem]:
        """Most urgent first, among equals the oldest first (nothing starves); `limit` keeps a long
        inbox cheap to show."""
        with Session(self.engine, expire_on_commit=False) as s:
            q = select(InboxItem)
            if agent:
                q = q.where(InboxItem.agent == agent)
            if status:
                q = q.where(InboxItem.status == status)
            if run_id:
                q = q.where(InboxItem.run_id == run_id)
            q = q.order_by(col(InboxItem.priority).desc(), col(InboxItem.created_at), col(InboxItem.id))
            return list(s.exec(q if limit is None else q.limit(limit)))

    def has_pending(self, agent: str) -> bool:
        with Session(self.engine) as s:
            q = select(InboxItem.id).where(InboxItem.agent == agent, InboxItem.status == PENDING)
            return s.exec(q.limit(1)).first() is not None

    def counts(self) -> dict[str, tuple[int, int]]:
        """Pending and unread items per agent, counted by the database."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(InboxItem.agent, func.count(), func.sum(case((col(InboxItem.read), 0), else_=1)))
                .where(InboxItem.status == PENDING)
                .group_by(col(InboxItem.agent))
            )
            return {agent: (int(total), int(unread or 0)) for agent, total, unread in rows}

    def unread_counts(self) -> dict[str, int]:
        return {agent: unread for agent, (_total, unread) in self.counts().items() if unread}

    def unread(self, agent: str | None = None) -> int:
        counts = self.unread_counts()
        return counts.get(agent, 0) if agent else sum(counts.values())

    def _update(self, item_id: str, event: str, **fields: object) -> InboxItem:
        with self._lock, Session(self.engine, expire_on_commit=False) as s:
            item = s.get(InboxItem, item_id)
            if item is None:
                raise KeyError(f"no inbox item {item_id}")
            for k, v in fields.items():
                setattr(item, k, v)
            s.add(item)
            s.commit()
        self._emit(event, item)
        return item

    def mark_read(self, item_id: str, read: bool = True) -> InboxItem:
        return self._update(item_id, "read", read=read)

    def record_answer(self, item_id: str, response: dict, at: datetime) -> InboxItem:
        return self._update(
            item_id,
            "answered",
            status=ANSWERED,
            read=True,
            answered_at=at,
            response_json=json.dumps(response),
        )

    def reopen(self, item_id: str) -> InboxItem | None:
        """Take an answer back while its run still waits (nothing has acted on it); None if too late.

        One conditional UPDATE: a run that resumed first has left "waiting", so the two never both win.
        """
        waiting = select(Run.id).where(Run.id == InboxItem.run_id, Run.status == "waiting").exists()
        stmt = (
            update(InboxItem)
            .where(col(InboxItem.id) == item_id, col(InboxItem.status) == ANSWERED, waiting)
            .values(status=PENDING, response_json=None, answered_at=None)
        )
        with self._lock, Session(self.engine, expire_on_commit=False) as s:
            done = s.exec(stmt).rowcount
            s.commit()
            item = s.get(InboxItem, item_id) if done else None
        if item is not None:
            self._emit("reopened", item)
        return item

    def supersede_run(self, run_id: str) -> list[InboxItem]:
        """A forked run's pending items no longer need an answer (the fork asks again if it must)."""
        return [self._update(it.id, "superseded", status=SUPERSEDED) for it in self.items(run_id=run_id)]

    def count_for_events(self, agent: str, event_ids: list[str]) -> int:
        with Session(self.engine, expire_on_commit=False) as s:
            q = select(InboxItem).where(InboxItem.agent == agent, col(InboxItem.event_id).in_(event_ids))
            return len(list(s.exec(q)))


class AskWindow(NamedTuple):
    """`asks` inbox items raised by `events` handled events."""

    events: int
    asks: int

    @property
    def rate(self) -> float:
        return self.asks / self.events if self.events else 0.0


class AskRate(NamedTuple):
    """Asks per handled event, window by window, and the events not handled yet (held)."""

    windows: list[AskWindow]
    held: int  # received but not yet decided (the agent is paused, or still working on them)


HANDLED_RUN = ("done", "waiting", "error", "stopped")


def ask_rate(engine: Engine, agent: str, window: int = 20, windows: int = 50) -> AskRate:
    """Inbox items per *handled* event, in arrival order: the inbox getting quieter as the agent learns.

    An event counts once its run has decided (done, or waiting on a person): events held by a
    pause or still running are reported apart, never as "asked nothing", so a pause never looks
    like learning. Only the latest `windows` windows are counted, so the cost stays flat.
    """
    run_status = select(Run.status).where(Run.id == ProcessedEvent.run_id).scalar_subquery()
    handled = or_(col(ProcessedEvent.status) == "done", run_status.in_(HANDLED_RUN))
    latest = (
        select(ProcessedEvent.event_id)
        .where(ProcessedEvent.agent == agent, handled)
        .order_by(col(ProcessedEvent.ordinal).desc(), col(ProcessedEvent.key).desc())
        .limit(window * windows)
    )
    # The counts select from the same bounded subquery, not an IN list of ids: one statement for
    # every call (a list of a different length each time filled SQLite's statement caches).
    counted = (
        select(InboxItem.event_id, func.count())
        .where(
            InboxItem.agent == agent,
            InboxItem.status != SUPERSEDED,
            col(InboxItem.event_id).in_(select(latest.subquery().c.event_id)),
        )
        .group_by(col(InboxItem.event_id))
    )
    held_q = select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.agent == agent, ~handled)
    with Session(engine, expire_on_commit=False) as s:
        ids = list(reversed(list(s.exec(latest))))
        counts = {e: int(n) for e, n in s.exec(counted)}
        held = int(s.exec(held_q).one())
    chunks = [ids[i : i + window] for i in range(0, len(ids), window)]
    return AskRate([AskWindow(len(c), sum(counts.get(e, 0) for e in c)) for c in chunks], held)
