"""Time travel: a profile's memory store *as it was* at a point in time, and the diff between two points.

Two time axes (as in Zep/Graphiti): a fact is *valid* at t when it was created by t and its validity
had not ended; it is *recallable* at t when, in addition, its write had landed (`recallable_at ≤ t`)
and it was not waiting for review. Background work *pending* at t is every job created by t and not
finished by then. Deleted memories are gone on purpose (deletion must delete), so the past shows only
what is still on record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from memory.models import SEMANTIC, Memory, MemoryJob


def aware(d: datetime | None) -> datetime | None:
    """SQLite may hand back naive UTC datetimes; compare everything as aware UTC."""
    if d is None:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


@dataclass
class Snapshot:
    at: datetime
    valid: list[Memory] = field(default_factory=list)
    recallable: list[Memory] = field(default_factory=list)
    pending_jobs: list[MemoryJob] = field(default_factory=list)

    @property
    def recallable_ids(self) -> set[str]:
        return {m.id for m in self.recallable}

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "valid": [m.content for m in self.valid],
            "recallable": [m.content for m in self.recallable],
            "pending_jobs": [j.id for j in self.pending_jobs],
        }


@dataclass
class SnapshotDiff:
    added: list[Memory] = field(default_factory=list)
    ended: list[Memory] = field(default_factory=list)
    became_recallable: list[Memory] = field(default_factory=list)

    def lines(self) -> list[str]:
        return (
            [f"+ {m.content}" for m in self.added]
            + [f"- {m.content}" for m in self.ended]
            + [f"~ now recallable: {m.content}" for m in self.became_recallable]
        )


def is_valid(m: Memory, t: datetime) -> bool:
    created, ended = aware(m.created_at), aware(m.valid_to)
    return created is not None and created <= t and (ended is None or ended > t)


def is_recallable(m: Memory, t: datetime) -> bool:
    ready = aware(m.recallable_at)
    return is_valid(m, t) and (ready is None or ready <= t) and not m.flagged


def store_at(engine: Engine, namespace: str, at: datetime, *, kind: str | None = SEMANTIC) -> Snapshot:
    """The store of `namespace` as it was at `at`."""
    t = aware(at)
    assert t is not None
    with Session(engine, expire_on_commit=False) as s:
        q = select(Memory).where(Memory.namespace == namespace)
        if kind:
            q = q.where(Memory.kind == kind)
        mems = list(s.exec(q.order_by(col(Memory.created_at))))
        jobs = list(s.exec(select(MemoryJob).where(MemoryJob.namespace == namespace)))
    snap = Snapshot(t)
    snap.valid = [m for m in mems if is_valid(m, t)]
    snap.recallable = [m for m in snap.valid if is_recallable(m, t)]
    snap.pending_jobs = [
        j
        for j in jobs
        if (aware(j.created_at) or t) <= t
        and (
            (j.finished_at is None and j.status == "pending")
            or (j.finished_at is not None and (aware(j.finished_at) or t) > t)
        )
    ]
    return snap


def diff(a: Snapshot, b: Snapshot) -> SnapshotDiff:
    """What changed from snapshot `a` to snapshot `b`."""
    va, vb = {m.id: m for m in a.valid}, {m.id: m for m in b.valid}
    return SnapshotDiff(
        added=[m for i, m in vb.items() if i not in va],
        ended=[m for i, m in va.items() if i not in vb],
        became_recallable=[m for m in b.recallable if m.id in va and m.id not in a.recallable_ids],
    )


def replay(engine: Engine, namespace: str, points: list[datetime]) -> list[Snapshot]:
    """The store at each point (e.g. after every turn): watching it grow."""
    return [store_at(engine, namespace, p) for p in points]
