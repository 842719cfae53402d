"""Pending feedback proposals, persisted: a restart keeps them, and every process on the data dir
(the GUI's Lab, the agent engine's, a CLI) sees and settles the same ones.

A row holds the whole `Proposal` as JSON; its `status` column is the truth (pending, applying,
applied, rejected) and moves only forward through one conditional UPDATE, so two accepts (two
clicks, two processes) cannot both apply: the second is told the proposal is already taken.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from agent_core.chat.feedback import Change, Proposal
from memory.clock import utcnow
from memory.secrets import scrub

PENDING, APPLYING, APPLIED, REJECTED = "pending", "applying", "applied", "rejected"
PROPOSAL_EVENT = "proposal"
"""The memory store's listeners hear `(PROPOSAL_EVENT, profile, [proposal_id])` when a proposal is
created, applied or rejected (the engine forwards it with memory events: the inspector refreshes)."""


class ProposalError(LookupError):
    """The proposal cannot be accepted or rejected: it is unknown, or no longer pending."""


class FeedbackProposal(SQLModel, table=True):
    __tablename__ = "feedback_proposal"

    id: str = Field(primary_key=True)
    profile: str = Field(index=True)
    message_id: str = ""
    status: str = Field(default=PENDING, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    proposal_json: str = "{}"


def to_json(p: Proposal) -> str:
    return scrub(json.dumps(asdict(p), ensure_ascii=False))


def from_json(raw: str) -> Proposal:
    data = json.loads(raw)
    data["changes"] = [Change(**c) for c in data.get("changes", [])]
    return Proposal(**data)


class Proposals:
    """The `feedback_proposal` table: add, list pending, and settle each proposal once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, p: Proposal) -> None:
        row = FeedbackProposal(
            id=p.id, profile=p.profile, message_id=p.message_id, status=p.status, proposal_json=to_json(p)
        )
        with Session(self.engine) as s:
            s.add(row)
            s.commit()

    def get(self, proposal_id: str) -> Proposal | None:
        with Session(self.engine) as s:
            row = s.get(FeedbackProposal, proposal_id)
            return _load(row) if row is not None else None

    def pending(self, profile: str) -> list[Proposal]:
        """The profile's pending proposals, oldest first."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(FeedbackProposal)
                .where(FeedbackProposal.profile == profile, FeedbackProposal.status == PENDING)
                .order_by(col(FeedbackProposal.created_at), col(FeedbackProposal.id))
            )
            return [_load(r) for r in rows]

    def claim(self, proposal_id: str) -> Proposal:
        """Take a pending proposal to apply it (pending → applying); only one caller ever gets it."""
        self._move(proposal_id, APPLYING)
        p = self.get(proposal_id)
        assert p is not None  # claimed just now; only a forget deletes rows
        p.status = PENDING  # what `feedback.apply` expects
        return p

    def settle(self, p: Proposal) -> None:
        """Store a claimed proposal after applying: applied, or pending again when the changes did
        not all go in (those that did are in `p.applied`, and a retry skips them)."""
        status = APPLIED if p.status == APPLIED else PENDING
        with self.engine.begin() as conn:
            conn.execute(
                update(FeedbackProposal)
                .where(col(FeedbackProposal.id) == p.id)
                .values(status=status, proposal_json=to_json(p))
            )

    def release_claims(self) -> int:
        """Applying → pending for every row (at start-up: a process that died mid-accept left its
        claim behind; `apply` skips the changes that went in, so a retry is safe)."""
        with self.engine.begin() as conn:
            return conn.execute(
                update(FeedbackProposal)
                .where(col(FeedbackProposal.status) == APPLYING)
                .values(status=PENDING)
            ).rowcount

    def reject(self, proposal_id: str) -> str:
        """Pending → rejected; returns the proposal's profile."""
        return self._move(proposal_id, REJECTED)

    def _move(self, proposal_id: str, status: str) -> str:
        """Pending → `status` in one conditional UPDATE; returns the profile, or raises why not."""
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(FeedbackProposal)
                .where(col(FeedbackProposal.id) == proposal_id, col(FeedbackProposal.status) == PENDING)
                .values(status=status)
            ).rowcount
        with Session(self.engine) as s:
            row = s.get(FeedbackProposal, proposal_id)
            now, profile = (row.status, row.profile) if row is not None else (None, "")
        if moved:
            return profile
        if now is None:
            raise ProposalError(f"no feedback proposal {proposal_id} (its profile was forgotten?)")
        what = "being applied" if now == APPLYING else now
        raise ProposalError(f"feedback proposal {proposal_id} is already {what}: nothing was changed")


def _load(row: FeedbackProposal) -> Proposal:
    p = from_json(row.proposal_json)
    p.status = row.status  # the column is the truth (a reject only moves it)
    return p
