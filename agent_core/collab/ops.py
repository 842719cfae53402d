"""Text operations and anchor rebasing: the operational-transform core of the collaborative document.

Agents anchor suggestions, comments, author spans and cursors to offsets; every edit must move those
anchors the way a reader expects, so the tie-breaking rules live here, once:

* a position at an insert point moves after the insert with ``assoc="after"``, stays with ``"before"``;
* a range's start uses ``"after"`` (an insert exactly at the start lands *before* the range), its end
  uses ``"before"`` (an insert exactly at the end lands *after* it); an insert strictly inside is inside;
* an empty range (a point anchor) moves past an insert at its position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Assoc = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Insert:
    """Insert ``text`` before offset ``pos``."""

    pos: int
    text: str

    @property
    def end(self) -> int:
        return self.pos + len(self.text)

    def apply(self, text: str) -> str:
        if not 0 <= self.pos <= len(text):
            raise ValueError(f"insert at {self.pos} outside text of length {len(text)}")
        return text[: self.pos] + self.text + text[self.pos :]

    def inverse(self, text: str) -> Delete:
        """The op that undoes this one, given the text it was applied to."""
        return Delete(self.pos, len(self.text))


@dataclass(frozen=True, slots=True)
class Delete:
    """Delete ``length`` characters starting at offset ``pos``."""

    pos: int
    length: int

    @property
    def end(self) -> int:
        return self.pos + self.length

    def apply(self, text: str) -> str:
        if self.pos < 0 or self.length < 0 or self.end > len(text):
            raise ValueError(f"delete {self.pos}+{self.length} outside text of length {len(text)}")
        return text[: self.pos] + text[self.end :]

    def inverse(self, text: str) -> Insert:
        """The op that undoes this one; needs the text it was applied to, to know what came out."""
        return Insert(self.pos, text[self.pos : self.end])


Op = Insert | Delete


def transform_pos(pos: int, op: Op, assoc: Assoc = "after") -> int:
    """Where offset ``pos`` ends up after ``op``; a position inside a deleted run collapses to its start."""
    if isinstance(op, Insert):
        if op.pos < pos or (op.pos == pos and assoc == "after"):
            return pos + len(op.text)
        return pos
    if pos <= op.pos:
        return pos
    if pos >= op.end:
        return pos - op.length
    return op.pos


def transform_range(start: int, end: int, op: Op) -> tuple[int, int]:
    """Rebase the half-open range ``[start, end)`` through ``op`` (see the module docstring for ties)."""
    if start == end:
        point = transform_pos(start, op, "after")
        return point, point
    new_start = transform_pos(start, op, "after")
    return new_start, max(new_start, transform_pos(end, op, "before"))


def touches(start: int, end: int, op: Op) -> bool:
    """Whether ``op`` changes text inside ``[start, end)``: an insert strictly inside, or an overlapping delete.

    For a point anchor (``start == end``) a delete strictly around the point counts: its context is gone.
    """
    if isinstance(op, Insert):
        return start < op.pos < end
    return op.length > 0 and op.pos < end and op.end > start


def replace_ops(start: int, end: int, replacement: str) -> list[Op]:
    """The ops that replace ``[start, end)`` by ``replacement`` (delete first, so anchors stay sane)."""
    ops: list[Op] = []
    if end > start:
        ops.append(Delete(start, end - start))
    if replacement:
        ops.append(Insert(start, replacement))
    return ops


def diff_ops(old: str, new: str) -> list[Op]:
    """A minimal single-hunk change from ``old`` to ``new``: anchors outside the hunk survive a restore."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    return replace_ops(prefix, len(old) - suffix, new[prefix : len(new) - suffix])
