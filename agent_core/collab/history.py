"""Undo groups, version snapshots and document events: the bookkeeping half of the document.

Kept apart from :mod:`document` so the editing rules read on their own; nothing here touches the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Literal

from agent_core.collab.ops import Delete, Insert, Op
from agent_core.collab.suggestions import AuthorSpan, Comment, Suggestion

EventName = Literal[
    "text_changed",
    "suggestion_added",
    "suggestion_updated",
    "suggestion_removed",
    "presence_changed",
    "comment_changed",
    "version_added",
]
GroupKind = Literal["typing", "accept", "agent_edit", "restore"]
Anchored = Suggestion | Comment


@dataclass(frozen=True, slots=True)
class DocEvent:
    """What changed, for observers (a Qt adapter turns these into signals).

    Anchors move silently with ``text_changed``; status changes (conflicted, orphaned...) get their own
    event. ``subject`` is the Suggestion / Comment / Presence / Snapshot concerned, if any.
    """

    name: EventName
    version: int
    author: str = ""
    op: Op | None = None
    subject: object = None


Listener = Callable[[DocEvent], None]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One entry of the version timeline."""

    version: int
    author: str
    description: str
    text: str
    time: float


def same_status(live: Anchored, expected: Anchored) -> bool:
    """Whether nothing changed ``live``'s status since ``expected`` was captured (undo may then revive it)."""
    if isinstance(live, Suggestion) and isinstance(expected, Suggestion):
        return live.status == expected.status
    return isinstance(live, Comment) and isinstance(expected, Comment) and live.orphaned == expected.orphaned


def copy_state(obj: Anchored) -> Anchored:
    return replace(obj)


#: What the agent's stream owns: an undo/redo of the user's step never rolls these back, so a
#: suggestion that finished streaming after the step was captured is not revived as "streaming".
STREAM_FIELDS = frozenset({"replacement", "note", "streaming"})


def restore_state(live: Anchored, saved: Anchored) -> None:
    """Copy ``saved`` back into ``live``, keeping the stream's fields (text streamed since, its end)."""
    for f in fields(live):
        if not (isinstance(live, Suggestion) and f.name in STREAM_FIELDS):
            setattr(live, f.name, getattr(saved, f.name))


@dataclass(slots=True)
class UndoGroup:
    """One undo step: user typing merged over a short window, or one accept / agent edit / restore.

    ``before`` copies every open anchor when the step opens (the text undo returns to); ``changed``
    names those whose status the step changed and ``after`` their state when it closed, so undo revives
    an accepted (or conflicted-by-the-step) suggestion exactly where it was, and redo re-applies it.
    """

    author: str
    label: str
    kind: GroupKind
    started_at: float
    last_at: float
    ops: list[tuple[Op, Op]] = field(default_factory=list)
    before: dict[str, Anchored] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    after: dict[str, Anchored] = field(default_factory=dict)
    spans: list[AuthorSpan] = field(default_factory=list)

    def note_change(self, obj: Anchored) -> None:
        self.changed.add(obj.id)

    def can_merge_typing(self, author: str, op: Op, now: float, window: float) -> bool:
        """Typing merges while the same author keeps typing (or erasing) at the same spot without a pause."""
        if self.kind != "typing" or self.author != author or now - self.last_at > window or not self.ops:
            return False
        last = self.ops[-1][0]
        if isinstance(last, Insert) and isinstance(op, Insert):
            return op.pos == last.end
        if isinstance(last, Delete) and isinstance(op, Delete):
            return op.end == last.pos or op.pos == last.pos  # backspace or forward delete
        return False


class UndoStack:
    """Linear undo/redo over groups; any new change clears the redo side."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.undo: list[UndoGroup] = []
        self.redo: list[UndoGroup] = []
        self._typing: UndoGroup | None = None  # the group new keystrokes may still join

    def seal(self) -> None:
        """Stop keystrokes joining the current group: an anchor appeared or changed status meanwhile."""
        self._typing = None

    def open(
        self,
        author: str,
        label: str,
        kind: GroupKind,
        now: float,
        capture: Callable[[], dict[str, Anchored]],
        op: Op | None = None,
    ) -> UndoGroup:
        self.redo.clear()
        top = self._typing
        if kind == "typing" and op is not None and top and top.can_merge_typing(author, op, now, self.window):
            top.last_at = now
            return top
        group = UndoGroup(author, label, kind, now, now, before=capture())
        self.undo.append(group)
        self._typing = group if kind == "typing" else None
        return group

    def pop_undo(self) -> UndoGroup | None:
        self._typing = None
        if not self.undo:
            return None
        group = self.undo.pop()
        self.redo.append(group)
        return group

    def pop_redo(self) -> UndoGroup | None:
        self._typing = None
        if not self.redo:
            return None
        group = self.redo.pop()
        self.undo.append(group)
        return group

    def close(self, group: UndoGroup, live: Callable[[str], Anchored]) -> None:
        if not group.ops and not group.changed:
            if self.undo and self.undo[-1] is group:
                self.undo.pop()
            if self._typing is group:
                self._typing = None
            return
        group.after = {key: copy_state(live(key)) for key in group.changed}
