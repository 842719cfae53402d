"""Suggestions (tracked changes), comments, author spans and presence: everything anchored to a range.

They all rebase through the user's edits with the rules of :mod:`ops`. A suggestion whose anchor text the
user changed becomes *conflicted* and keeps the reason, so it is shown, re-run or rejected, never applied
blindly; a comment whose text is deleted becomes *orphaned*.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal, get_args

from agent_core.collab.ops import Insert, Op, touches, transform_pos, transform_range

Status = Literal["pending", "accepted", "rejected", "conflicted"]
Kind = Literal["rewrite", "insert", "delete", "comment"]
KINDS: tuple[str, ...] = get_args(Kind)

#: Colour-blind friendly (Okabe-Ito) palette; an author keeps one colour across runs.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def colour_for(author: str) -> str:
    """A stable colour per author (crc32, not ``hash``, so it does not change between runs)."""
    return PALETTE[zlib.crc32(author.encode()) % len(PALETTE)]


def _conflict_reason(cause: str, op: Op) -> str:
    what = "typed inside" if isinstance(op, Insert) else "deleted text in"
    return f"{cause} {what} the suggested range"


@dataclass(slots=True)
class Suggestion:
    """An agent's proposed change of ``original`` (= document[start:end] while pending) to ``replacement``.

    For ``kind == "comment"`` the text is not changed: ``note`` holds the remark and accepting only
    acknowledges it. ``streaming`` is true while the agent is still producing ``replacement``.
    """

    id: str
    author: str
    colour: str
    start: int
    end: int
    original: str
    replacement: str
    status: Status = "pending"
    created_at: float = 0.0
    kind: Kind = "rewrite"
    note: str = ""
    streaming: bool = False
    conflict_reason: str = ""

    @property
    def is_open(self) -> bool:
        """Still shown in the document (pending or conflicted)."""
        return self.status in ("pending", "conflicted")

    @property
    def changes_nothing(self) -> bool:
        """It proposes nothing new: an empty insert or remark, or the same words as the original."""
        if self.kind == "comment":
            return not self.note.strip()
        if self.kind == "insert":
            return not self.replacement.strip()
        return self.replacement.split() == self.original.split()

    def rebase(self, op: Op, cause: str) -> bool:
        """Move the anchor through ``op``; return True when this made the suggestion conflicted."""
        if not self.is_open:
            return False
        conflicted = self.status == "pending" and touches(self.start, self.end, op)
        self.start, self.end = transform_range(self.start, self.end, op)
        if conflicted:
            self.status = "conflicted"
            self.conflict_reason = _conflict_reason(cause, op)
        return conflicted


@dataclass(slots=True)
class Comment:
    """A remark anchored to a range; ``quoted`` is the text it was made on (shown once orphaned)."""

    id: str
    author: str
    start: int
    end: int
    text: str
    quoted: str
    created_at: float = 0.0
    orphaned: bool = False
    resolved: bool = False

    def rebase(self, op: Op) -> bool:
        """Move the anchor; return True when the commented text has just been deleted entirely."""
        was_empty = self.start == self.end
        gone = not was_empty or touches(self.start, self.end, op)
        self.start, self.end = transform_range(self.start, self.end, op)
        if not self.orphaned and gone and self.start == self.end and not isinstance(op, Insert):
            self.orphaned = True
            return True
        return False


@dataclass(frozen=True, slots=True)
class AuthorSpan:
    """Text written directly by an author (agent edit or accepted suggestion), for highlighting."""

    author: str
    start: int
    end: int
    version: int


def rebase_spans(spans: list[AuthorSpan], op: Op) -> list[AuthorSpan]:
    """Rebase spans; someone else's insert strictly inside a span splits it, so it is not misattributed."""
    out: list[AuthorSpan] = []
    for span in spans:
        if isinstance(op, Insert) and span.start < op.pos < span.end:
            out.append(AuthorSpan(span.author, span.start, op.pos, span.version))
            out.append(AuthorSpan(span.author, op.end, span.end + len(op.text), span.version))
            continue
        start, end = transform_range(span.start, span.end, op)
        if end > start:
            out.append(AuthorSpan(span.author, start, end, span.version))
    return out


@dataclass(slots=True)
class Presence:
    """Where an author is and what it does; ``selection`` doubles as a region lease for an agent.

    ``interrupted_by`` names who last edited inside the leased selection, so the agent can pause/rebase.
    """

    author: str
    cursor: int
    selection: tuple[int, int] | None
    activity: str
    updated_at: float = 0.0
    interrupted_by: str = ""

    def rebase(self, op: Op, editor: str) -> bool:
        """Move cursor and selection; return True when another author's edit touched the selection."""
        self.cursor = transform_pos(self.cursor, op, "after" if editor == self.author else "before")
        if self.selection is None:
            return False
        hit = editor != self.author and touches(*self.selection, op)
        self.selection = transform_range(*self.selection, op)
        if hit:
            self.interrupted_by = editor
        return hit
