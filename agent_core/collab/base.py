"""The mechanics under CollabDocument: state, the single apply path, undo/redo and version history.

Every text change flows through :meth:`DocumentBase._apply`, the one place anchors (suggestions,
comments, author spans, presence) are rebased and events emitted, so nothing can drift out of step.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from agent_core.collab.history import (
    Anchored,
    DocEvent,
    EventName,
    GroupKind,
    Listener,
    Snapshot,
    UndoGroup,
    UndoStack,
    copy_state,
    restore_state,
    same_status,
)
from agent_core.collab.ops import Op, diff_ops, touches, transform_range
from agent_core.collab.suggestions import AuthorSpan, Comment, Presence, Status, Suggestion, rebase_spans


class CollabError(Exception):
    """A document operation was refused; the document is unchanged."""


class StaleRangeError(CollabError, ValueError):
    """The agent's range no longer matches the text it read (Zed-style: re-read, then retry)."""


class ConflictError(CollabError):
    """A conflicted suggestion cannot be accepted: the user changed its anchor text."""


class DocumentBase:
    """State, the apply path, undo/redo and versions; :class:`CollabDocument` adds the public edits."""

    def __init__(
        self, text: str = "", *, clock: Callable[[], float] = time.time, typing_window: float = 2.0
    ) -> None:
        self._text = text
        self._log: list[Op] = []  # op i turns version i into version i + 1
        self._clock = clock
        self._suggestions: dict[str, Suggestion] = {}
        self._comments: dict[str, Comment] = {}
        self._presence: dict[str, Presence] = {}
        self._spans: list[AuthorSpan] = []
        self._listeners: list[Listener] = []
        self._undo = UndoStack(typing_window)
        self._group: UndoGroup | None = None
        self._snapshots = [Snapshot(0, "user", "created", text, clock())]
        self._typing_author = "user"
        self._ids = itertools.count(1)

    # -- reading ------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    @property
    def version(self) -> int:
        """Number of text operations applied so far; agents quote it as ``base_version``."""
        return len(self._log)

    def suggestions(self, *, author: str | None = None, open_only: bool = False) -> list[Suggestion]:
        return [
            s
            for s in self._suggestions.values()
            if (author is None or s.author == author) and (s.is_open or not open_only)
        ]

    def suggestion(self, sid: str) -> Suggestion:
        try:
            return self._suggestions[sid]
        except KeyError:
            raise CollabError(f"no suggestion {sid!r}") from None

    def comments(self) -> list[Comment]:
        return list(self._comments.values())

    def presence(self) -> dict[str, Presence]:
        return dict(self._presence)

    def author_spans(self) -> list[AuthorSpan]:
        return list(self._spans)

    def snapshots(self) -> list[Snapshot]:
        return list(self._snapshots)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo.undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._undo.redo)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` after each change; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, name: EventName, author: str = "", op: Op | None = None, subject: object = None) -> None:
        event = DocEvent(name, self.version, author, op, subject)
        for listener in list(self._listeners):
            listener(event)

    # -- the one place the text changes -------------------------------------------------------
    def _apply(self, op: Op, cause: str, author: str) -> None:
        inverse = op.inverse(self._text)
        self._text = op.apply(self._text)  # raises before anything else moves
        self._log.append(op)
        changed: list[Anchored] = []
        items: list[Anchored] = [*self._suggestions.values(), *self._comments.values()]
        for item in items:
            hit = item.rebase(op, cause) if isinstance(item, Suggestion) else item.rebase(op)
            if hit:
                changed.append(item)
                if self._group is not None:
                    self._group.note_change(item)
        self._spans = rebase_spans(self._spans, op)
        moved = [p for p in self._presence.values() if p.rebase(op, author)]
        if self._group is not None:
            self._group.ops.append((op, inverse))
        self._emit("text_changed", author, op)
        for item in changed:
            self._emit_item(item, author)
        for presence in moved:
            self._emit("presence_changed", presence.author, subject=presence)

    def _emit_item(self, item: Anchored, author: str) -> None:
        self._emit(
            "suggestion_updated" if isinstance(item, Suggestion) else "comment_changed", author, subject=item
        )

    @contextmanager
    def _step(self, author: str, label: str, kind: GroupKind, op: Op | None = None) -> Iterator[UndoGroup]:
        """Collect the ops and status changes of one undo step."""
        group = self._undo.open(author, label, kind, self._clock(), self._capture, op)
        self._group = group
        try:
            yield group
        finally:
            self._group = None
            self._undo.close(group, self._anchored)

    def _capture(self) -> dict[str, Anchored]:
        items: list[Anchored] = [*self.suggestions(open_only=True), *self._comments.values()]
        return {item.id: copy_state(item) for item in items}

    def _anchored(self, key: str) -> Anchored:
        return self._suggestions[key] if key in self._suggestions else self._comments[key]

    def _current_range(
        self, start: int, end: int, base_version: int | None, expected: str | None
    ) -> tuple[int, int]:
        """Bring an agent's range from the version it read to now, refusing it if that text changed."""
        if base_version is not None:
            if not 0 <= base_version <= self.version:
                raise StaleRangeError(f"unknown version {base_version}")
            for op in self._log[base_version:]:
                if touches(start, end, op):
                    raise StaleRangeError(f"text at {start}:{end} changed since version {base_version}")
                start, end = transform_range(start, end, op)
        if not 0 <= start <= end <= len(self._text):
            raise StaleRangeError(f"range {start}:{end} outside text of length {len(self._text)}")
        if expected is not None and self._text[start:end] != expected:
            raise StaleRangeError(f"text at {start}:{end} is not what the agent read")
        return start, end

    def _set_status(self, suggestion: Suggestion, status: Status) -> None:
        if self._group is not None:
            self._group.note_change(suggestion)
        else:
            self._undo.seal()
        suggestion.status, suggestion.streaming = status, False
        self._emit("suggestion_updated", suggestion.author, subject=suggestion)

    def _add_span(self, span: AuthorSpan, group: UndoGroup) -> None:
        self._spans.append(span)
        group.spans.append(span)

    # -- undo / redo --------------------------------------------------------------------------
    def undo(self) -> bool:
        """Undo the latest step (typing burst, accept, agent edit or restore); revives accepted ones."""
        self._flush_typing()
        group = self._undo.pop_undo()
        if group is None:
            return False
        self._replay(
            group, [inverse for _op, inverse in reversed(group.ops)], "undo", group.before, group.after
        )
        return True

    def redo(self) -> bool:
        self._flush_typing()
        group = self._undo.pop_redo()
        if group is None:
            return False
        self._replay(
            group, [op for op, _inverse in group.ops], "redo", group.after, group.before, group.spans
        )
        return True

    def _replay(
        self,
        group: UndoGroup,
        ops: list[Op],
        verb: str,
        saved: dict[str, Anchored],
        expected: dict[str, Anchored],
        spans: list[AuthorSpan] | None = None,
    ) -> None:
        """Apply undo/redo ops, then put back the statuses the step changed (if nobody changed them since)."""
        keys = [
            key
            for key in group.changed
            if key in saved
            and key in expected
            and (key in self._suggestions or key in self._comments)
            and same_status(self._anchored(key), expected[key])
        ]
        for op in ops:
            self._apply(op, f"{verb} of {group.label}", group.author)
        for key in keys:
            live = self._anchored(key)
            restore_state(live, saved[key])
            self._emit_item(live, group.author)
        self._spans.extend(spans or [])
        self._snapshot(group.author, f"{verb} {group.label}")

    # -- versions -----------------------------------------------------------------------------
    def _snapshot(self, author: str, description: str) -> Snapshot:
        snapshot = Snapshot(self.version, author, description, self._text, self._clock())
        self._snapshots.append(snapshot)
        self._emit("version_added", author, subject=snapshot)
        return snapshot

    def _flush_typing(self) -> None:
        """Record unsnapshotted typing first, so the timeline never loses the user's words."""
        if self.version != self._snapshots[-1].version:
            self._snapshot(self._typing_author, "typing")

    def checkpoint(self, description: str, author: str = "user") -> Snapshot:
        self._flush_typing()
        return self._snapshot(author, description)

    def restore(self, version: int, author: str = "user") -> int:
        """Bring back a version's text as a new version (one undo step); the history is kept."""
        snapshot = next((s for s in reversed(self._snapshots) if s.version == version), None)
        if snapshot is None:
            raise CollabError(f"no snapshot of version {version}")
        self._flush_typing()
        with self._step(author, f"restore version {version}", "restore"):
            for op in diff_ops(self._text, snapshot.text):
                self._apply(op, f"restoring version {version}", author)
        self._snapshot(author, f"restored version {version}")
        return self.version
