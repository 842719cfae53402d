"""CollabDocument: one text edited at once by the user and agents, without turn-taking.

The user's edits apply immediately and are never blocked or lost. Agents either *suggest* (tracked
changes anchored to ranges that rebase through the user's edits; a suggestion whose anchor text the user
changed becomes conflicted and cannot be accepted) or, in direct mode, *edit* a range they prove is
current (Zed-style: the edit fails if the text changed since the agent read it).
"""

from __future__ import annotations

from agent_core.collab.base import CollabError, ConflictError, DocumentBase, StaleRangeError
from agent_core.collab.history import UndoGroup
from agent_core.collab.ops import Op, replace_ops
from agent_core.collab.suggestions import (
    KINDS,
    AuthorSpan,
    Comment,
    Kind,
    Presence,
    Status,
    Suggestion,
    colour_for,
)

__all__ = ["CollabDocument", "CollabError", "ConflictError", "StaleRangeError"]


class CollabDocument(DocumentBase):
    """The shared document model; Qt-free, observed through :meth:`subscribe`."""

    # -- the user -----------------------------------------------------------------------------
    def user_edit(self, op: Op, author: str = "user") -> int:
        """Apply a keystroke-level edit now; consecutive typing merges into one undo step."""
        op.apply(self._text)  # validate first so a bad op leaves undo/redo alone
        with self._step(author, "typing", "typing", op):
            self._apply(op, author, author)
        self._typing_author = author
        return self.version

    # -- suggestions --------------------------------------------------------------------------
    def agent_suggest(
        self,
        author: str,
        start: int,
        end: int,
        replacement: str,
        kind: Kind = "rewrite",
        *,
        note: str = "",
        colour: str | None = None,
        base_version: int | None = None,
        expected: str | None = None,
    ) -> str:
        """Propose replacing ``[start, end)``; for ``kind="comment"`` ``replacement`` is the remark."""
        return self._add(author, start, end, replacement, kind, note, colour, base_version, expected, False)

    def begin_suggestion(
        self,
        author: str,
        start: int,
        end: int,
        *,
        kind: Kind = "rewrite",
        note: str = "",
        colour: str | None = None,
        base_version: int | None = None,
        expected: str | None = None,
    ) -> str:
        """Start a suggestion whose replacement streams in while the user keeps typing elsewhere."""
        return self._add(author, start, end, "", kind, note, colour, base_version, expected, True)

    def _add(
        self,
        author: str,
        start: int,
        end: int,
        replacement: str,
        kind: Kind,
        note: str,
        colour: str | None,
        base_version: int | None,
        expected: str | None,
        streaming: bool,
    ) -> str:
        if kind not in KINDS:
            raise CollabError(f"unknown suggestion kind {kind!r}")
        start, end = self._current_range(start, end, base_version, expected)
        if kind == "insert" and start != end:
            raise CollabError("an insert suggestion needs an empty range")
        if kind == "delete" and replacement:
            raise CollabError("a delete suggestion has no replacement")
        original = self._text[start:end]
        if kind == "comment":
            note, replacement = note or replacement, original
        sid = f"s{next(self._ids)}"
        suggestion = Suggestion(
            sid, author, colour or colour_for(author), start, end, original, replacement,
            created_at=self._clock(), kind=kind, note=note, streaming=streaming,
        )  # fmt: skip
        self._suggestions[sid] = suggestion
        self._undo.seal()
        self._emit("suggestion_added", author, subject=suggestion)
        return sid

    def stream_suggestion(self, sid: str, chunk: str) -> Status:
        """Append a chunk; the returned status tells the agent to stop when it is no longer pending."""
        suggestion = self.suggestion(sid)
        if suggestion.status in ("accepted", "rejected"):
            return suggestion.status
        if not suggestion.streaming:
            raise CollabError(f"suggestion {sid} is not streaming")
        if suggestion.kind == "comment":
            suggestion.note += chunk
        else:
            suggestion.replacement += chunk
        self._emit("suggestion_updated", suggestion.author, subject=suggestion)
        return suggestion.status

    def finish_suggestion(self, sid: str) -> Suggestion:
        suggestion = self.suggestion(sid)
        if suggestion.streaming:
            suggestion.streaming = False
            self._emit("suggestion_updated", suggestion.author, subject=suggestion)
        return suggestion

    def reanchor(self, sid: str, replacement: str) -> None:
        """Re-run only a conflicted hunk: the agent re-read the range's current text and proposes anew."""
        suggestion = self.suggestion(sid)
        if suggestion.status != "conflicted":
            raise CollabError(f"suggestion {sid} is {suggestion.status}, not conflicted")
        suggestion.original = self._text[suggestion.start : suggestion.end]
        suggestion.replacement = suggestion.original if suggestion.kind == "comment" else replacement
        suggestion.status, suggestion.conflict_reason = "pending", ""
        self._undo.seal()
        self._emit("suggestion_updated", suggestion.author, subject=suggestion)

    def _check_acceptable(self, sid: str) -> Suggestion:
        suggestion = self.suggestion(sid)
        if suggestion.status == "conflicted":
            raise ConflictError(
                f"suggestion {sid} is conflicted ({suggestion.conflict_reason}); re-run or reject it"
            )
        if suggestion.status != "pending":
            raise CollabError(f"suggestion {sid} is already {suggestion.status}")
        if suggestion.streaming:
            raise CollabError(f"suggestion {sid} is still streaming")
        return suggestion

    def _accept_one(self, suggestion: Suggestion, group: UndoGroup) -> None:
        start = suggestion.start
        assert self._text[start : suggestion.end] == suggestion.original, "pending anchor drifted"
        self._set_status(suggestion, "accepted")
        if suggestion.kind == "comment":
            return
        for op in replace_ops(start, suggestion.end, suggestion.replacement):
            self._apply(op, f"accepting {suggestion.id}", suggestion.author)
        suggestion.start, suggestion.end = start, start + len(suggestion.replacement)
        if suggestion.replacement:
            self._add_span(AuthorSpan(suggestion.author, start, suggestion.end, self.version), group)

    def accept(self, sid: str) -> int:
        """Apply one suggestion as one undo step; the other suggestions rebase (and may conflict)."""
        suggestion = self._check_acceptable(sid)
        self._flush_typing()
        with self._step("user", f"accept {sid} by {suggestion.author}", "accept") as group:
            self._accept_one(suggestion, group)
        self._snapshot(suggestion.author, f"accepted {suggestion.kind} {sid} by {suggestion.author}")
        return self.version

    def reject(self, sid: str) -> None:
        """Drop a suggestion; the text is untouched, exactly as it was."""
        suggestion = self.suggestion(sid)
        if not suggestion.is_open:
            raise CollabError(f"suggestion {sid} is already {suggestion.status}")
        self._set_status(suggestion, "rejected")

    def withdraw(self, sid: str) -> None:
        """The agent takes back an open suggestion (it proposed nothing, or its run failed): it is
        removed, never counted as the user's rejection, and the text is untouched."""
        suggestion = self.suggestion(sid)
        if not suggestion.is_open:
            raise CollabError(f"suggestion {sid} is already {suggestion.status}")
        del self._suggestions[sid]
        self._undo.seal()
        self._emit("suggestion_removed", suggestion.author, subject=suggestion)

    def accept_all(self, author: str | None = None) -> list[str]:
        """Accept every finished pending suggestion (of ``author``) as one undo step; skips conflicts."""
        chosen = [s for s in self.suggestions(author=author) if s.status == "pending" and not s.streaming]
        if not chosen:
            return []
        self._flush_typing()
        done: list[str] = []
        with self._step("user", f"accept all by {author or 'all agents'}", "accept") as group:
            for suggestion in chosen:
                if suggestion.status == "pending":  # an earlier accept may have conflicted it
                    self._accept_one(suggestion, group)
                    done.append(suggestion.id)
        self._snapshot(author or "agents", f"accepted {len(done)} suggestions")
        return done

    def reject_all(self, author: str | None = None) -> list[str]:
        """Reject every open suggestion (of ``author``), conflicted and streaming ones included."""
        chosen = self.suggestions(author=author, open_only=True)
        for suggestion in chosen:
            self._set_status(suggestion, "rejected")
        return [s.id for s in chosen]

    def clear_resolved(self) -> list[str]:
        """Forget accepted/rejected suggestions (read them for learning first)."""
        gone = [s for s in self._suggestions.values() if not s.is_open]
        for suggestion in gone:
            del self._suggestions[suggestion.id]
            self._emit("suggestion_removed", suggestion.author, subject=suggestion)
        return [s.id for s in gone]

    # -- direct agent edits -------------------------------------------------------------------
    def agent_edit(
        self,
        author: str,
        start: int,
        end: int,
        replacement: str,
        *,
        base_version: int | None = None,
        expected: str | None = None,
        description: str = "",
    ) -> int:
        """Replace a range the agent proves is current; the new text is highlighted as the agent's."""
        start, end = self._current_range(start, end, base_version, expected)
        self._flush_typing()
        with self._step(author, description or f"edit by {author}", "agent_edit") as group:
            for op in replace_ops(start, end, replacement):
                self._apply(op, author, author)
            if replacement:
                self._add_span(AuthorSpan(author, start, start + len(replacement), self.version), group)
        self._snapshot(author, description or "direct edit")
        return self.version

    # -- comments and presence ----------------------------------------------------------------
    def add_comment(
        self, author: str, start: int, end: int, text: str, *, base_version: int | None = None
    ) -> str:
        start, end = self._current_range(start, end, base_version, None)
        comment = Comment(
            f"c{next(self._ids)}", author, start, end, text, self._text[start:end], self._clock()
        )
        self._comments[comment.id] = comment
        self._undo.seal()
        self._emit("comment_changed", author, subject=comment)
        return comment.id

    def resolve_comment(self, cid: str) -> None:
        if cid not in self._comments:
            raise CollabError(f"no comment {cid!r}")
        comment = self._comments[cid]
        comment.resolved = True
        self._undo.seal()
        self._emit("comment_changed", comment.author, subject=comment)

    def set_presence(
        self, author: str, cursor: int, selection: tuple[int, int] | None = None, activity: str = ""
    ) -> Presence:
        """Show where an author is; an agent's selection is its lease on the range it is about to edit."""
        size = len(self._text)
        if not 0 <= cursor <= size or (
            selection is not None and not 0 <= selection[0] <= selection[1] <= size
        ):
            raise CollabError("presence outside the text")
        presence = Presence(author, cursor, selection, activity, self._clock())
        self._presence[author] = presence
        self._emit("presence_changed", author, subject=presence)
        return presence

    def clear_presence(self, author: str) -> None:
        if self._presence.pop(author, None) is not None:
            self._emit("presence_changed", author)
