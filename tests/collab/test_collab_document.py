"""Unit tests of CollabDocument: the acceptance scenarios of the collaborative-document pattern."""

from __future__ import annotations

import itertools

import pytest

from agent_core.collab import (
    CollabDocument,
    CollabError,
    ConflictError,
    Delete,
    DocEvent,
    Insert,
    StaleRangeError,
)
from agent_core.collab.ops import diff_ops, touches, transform_range

TEXT = "Intro para.\n\nSecond para here.\n"


def make(text: str = TEXT) -> tuple[CollabDocument, list[DocEvent]]:
    ticks = itertools.count(0.0, 0.1)
    doc = CollabDocument(text, clock=lambda: next(ticks))
    events: list[DocEvent] = []
    doc.subscribe(events.append)
    return doc, events


def test_range_tie_breaking() -> None:
    assert transform_range(5, 9, Insert(5, "ab")) == (7, 11)  # at the start: before the range
    assert transform_range(5, 9, Insert(7, "ab")) == (5, 11)  # strictly inside: inside
    assert transform_range(5, 9, Insert(9, "ab")) == (5, 9)  # at the end: after the range
    assert transform_range(5, 5, Insert(5, "ab")) == (7, 7)  # a point anchor moves past
    assert transform_range(5, 9, Delete(3, 4)) == (3, 5)
    assert (
        touches(5, 9, Delete(8, 3)) and not touches(5, 9, Delete(9, 3)) and not touches(5, 9, Insert(5, "x"))
    )
    old, new = "the quick fox", "the slow fox"
    doc = CollabDocument(old)
    for op in diff_ops(old, new):
        doc.user_edit(op)
    assert doc.text == new


def test_accept_one_while_user_types_elsewhere() -> None:
    doc, events = make()
    sid = doc.agent_suggest("bot", 13, 30, "Second paragraph, rewritten.")
    doc.user_edit(Insert(0, "# Title\n"))
    doc.user_edit(Insert(len(doc.text), "More."))
    suggestion = doc.suggestion(sid)
    assert doc.text[suggestion.start : suggestion.end] == "Second para here."
    doc.accept(sid)
    assert doc.text == "# Title\nIntro para.\n\nSecond paragraph, rewritten.\nMore."
    assert suggestion.status == "accepted"
    assert [span.author for span in doc.author_spans()] == ["bot"]
    names = {e.name for e in events}
    assert {"suggestion_added", "text_changed", "suggestion_updated", "version_added"} <= names


def test_reject_restores_exact_original_and_conflict_is_refused() -> None:
    doc, _ = make()
    keep = doc.agent_suggest("bot", 0, 11, "Opening paragraph.")
    clash = doc.agent_suggest("bot", 13, 30, "Other.")
    doc.user_edit(Insert(20, "XYZ"))  # the user types inside the second suggestion
    assert doc.suggestion(clash).status == "conflicted"
    assert "typed inside" in doc.suggestion(clash).conflict_reason
    before = doc.text
    with pytest.raises(ConflictError):
        doc.accept(clash)
    assert doc.text == before
    doc.reject(keep)
    assert doc.text == before
    assert doc.accept_all() == []  # nothing pending is left; the conflict is never applied
    doc.reanchor(clash, "Second para, re-run.")  # re-run only the conflicting hunk
    doc.accept(clash)
    assert doc.text == "Intro para.\n\nSecond para, re-run.\n"


def test_overlapping_suggestions_accept_all_skips_the_one_it_conflicts() -> None:
    doc, _ = make()
    first = doc.agent_suggest("bot", 0, 5, "Opening")
    overlap = doc.agent_suggest("critic", 3, 10, "ro text")
    later = doc.agent_suggest("bot", 13, 19, "Next")
    assert doc.accept_all() == [first, later]
    assert doc.suggestion(overlap).status == "conflicted"
    assert doc.text == "Opening para.\n\nNext para here.\n"
    assert doc.reject_all() == [overlap]


def test_undo_redo_accept_and_grouped_typing() -> None:
    doc, _ = make("abc")
    sid = doc.agent_suggest("bot", 0, 3, "XYZ")
    doc.accept(sid)
    for i, ch in enumerate("hello"):
        doc.user_edit(Insert(3 + i, ch))
    assert doc.text == "XYZhello"
    assert doc.undo()  # the whole typing burst is one step
    assert doc.text == "XYZ"
    assert doc.undo()  # the accept is one step, and the suggestion is pending again
    assert doc.text == "abc" and doc.suggestion(sid).status == "pending"
    assert doc.redo() and doc.text == "XYZ" and doc.suggestion(sid).status == "accepted"
    assert doc.redo() and doc.text == "XYZhello"
    assert not doc.redo()


def test_undo_revives_a_suggestion_the_step_conflicted() -> None:
    doc, _ = make("one two three")
    sid = doc.agent_suggest("bot", 4, 7, "2")
    doc.user_edit(Delete(3, 4))
    assert doc.suggestion(sid).status == "conflicted"
    doc.undo()
    suggestion = doc.suggestion(sid)
    assert suggestion.status == "pending" and doc.text[suggestion.start : suggestion.end] == "two"


def test_streaming_suggestion_while_user_types_before_and_after() -> None:
    doc, events = make("alpha beta gamma")
    sid = doc.begin_suggestion("bot", 6, 10)
    for chunk in ("BE", "TA", "!"):
        doc.user_edit(Insert(0, ">"))  # before: the anchor shifts
        doc.user_edit(Insert(len(doc.text), "<"))  # after: the anchor stays
        assert doc.stream_suggestion(sid, chunk) == "pending"
    with pytest.raises(CollabError):
        doc.accept(sid)  # still streaming
    doc.finish_suggestion(sid)
    doc.accept(sid)
    assert doc.text == ">>>alpha BETA! gamma<<<"
    assert sum(e.name == "suggestion_updated" for e in events) >= 4


def test_stream_stops_when_user_rejects() -> None:
    doc, _ = make("alpha beta")
    sid = doc.begin_suggestion("bot", 0, 5)
    doc.stream_suggestion(sid, "A")
    doc.reject(sid)
    assert doc.stream_suggestion(sid, "LPHA") == "rejected"
    assert doc.text == "alpha beta"


def test_stale_ranges_are_refused_or_rebased() -> None:
    doc, _ = make("hello world")
    base = doc.version
    doc.user_edit(Insert(0, "Oh, "))
    sid = doc.agent_suggest("bot", 6, 11, "there", base_version=base)  # read before the user typed
    assert doc.suggestion(sid).original == "world"
    doc.user_edit(Delete(11, 2))  # "or" of "world"
    with pytest.raises(StaleRangeError):
        doc.agent_edit("bot", 6, 11, "WORLD", base_version=base)
    with pytest.raises(StaleRangeError):
        doc.agent_suggest("bot", 0, 2, "x", expected="zz")
    with pytest.raises(StaleRangeError):
        doc.agent_suggest("bot", 0, 99, "x")


def test_agent_edit_span_splits_when_user_types_inside() -> None:
    doc, _ = make("aaa bbb")
    doc.agent_edit("bot", 4, 7, "BBBB", expected="bbb", description="shout")
    doc.user_edit(Insert(6, "u"))
    spans = [(s.start, s.end) for s in doc.author_spans()]
    assert doc.text == "aaa BBuBB" and spans == [(4, 6), (7, 9)]
    assert doc.snapshots()[-1].description == "shout"


def test_restore_a_version_keeps_history() -> None:
    doc, _ = make("draft one")
    doc.user_edit(Insert(9, " more"))
    sid = doc.agent_suggest("bot", 0, 5, "Draft")
    doc.accept(sid)
    first_accept = doc.snapshots()[-1]
    doc.user_edit(Delete(0, 6))
    doc.restore(0)
    assert doc.text == "draft one"
    descriptions = [s.description for s in doc.snapshots()]
    assert descriptions[0] == "created" and descriptions[-1] == "restored version 0"
    assert "typing" in descriptions  # the typing before the restore is kept in the timeline
    doc.restore(first_accept.version)
    assert doc.text == "Draft one more"
    doc.undo()
    assert doc.text == "draft one"
    with pytest.raises(CollabError):
        doc.restore(999)


def test_comment_rebases_then_orphaned() -> None:
    doc, events = make("keep this sentence")
    cid = doc.add_comment("critic", 5, 9, "vague?")
    doc.user_edit(Insert(0, ">> "))
    comment = doc.comments()[0]
    assert (comment.start, comment.end, comment.orphaned) == (8, 12, False)
    doc.user_edit(Delete(7, 6))
    assert comment.orphaned and comment.quoted == "this"
    assert [e.name for e in events].count("comment_changed") == 2
    doc.resolve_comment(cid)
    assert comment.resolved


def test_presence_rebases_and_flags_lease_interruption() -> None:
    doc, events = make("0123456789")
    doc.set_presence("bot", 5, (5, 8), "rewriting")
    doc.user_edit(Insert(0, "ab"))
    presence = doc.presence()["bot"]
    assert (presence.cursor, presence.selection) == (7, (7, 10))
    doc.user_edit(Insert(8, "u"))
    assert presence.interrupted_by == "user"
    assert [e.name for e in events].count("presence_changed") == 2
    doc.clear_presence("bot")
    assert doc.presence() == {}


def test_comment_kind_and_clear_resolved() -> None:
    doc, events = make("abc")
    sid = doc.agent_suggest("critic", 0, 3, "Is this right?", kind="comment")
    assert doc.suggestion(sid).note == "Is this right?"
    doc.accept(sid)
    assert doc.text == "abc"
    assert doc.clear_resolved() == [sid]
    assert events[-1].name == "suggestion_removed"
    with pytest.raises(CollabError):
        doc.agent_suggest("bot", 0, 1, "x", kind="insert")


def test_unsubscribe() -> None:
    doc, events = make("abc")
    seen: list[DocEvent] = []
    unsubscribe = doc.subscribe(seen.append)
    unsubscribe()
    doc.user_edit(Insert(0, "x"))
    assert not seen and events


def test_typing_groups_break_on_pause_jump_or_new_suggestion() -> None:
    now = [0.0]
    doc = CollabDocument("", clock=lambda: now[0])
    doc.user_edit(Insert(0, "ab"))
    doc.user_edit(Insert(2, "c"))  # same burst
    doc.user_edit(Insert(0, ">"))  # jumped elsewhere: new step
    now[0] = 10.0
    doc.user_edit(Insert(4, "d"))  # after a pause: new step
    doc.agent_suggest("bot", 0, 1, "<")
    doc.user_edit(Insert(5, "e"))  # a suggestion appeared meanwhile: new step
    texts = []
    while doc.undo():
        texts.append(doc.text)
    assert texts == [">abcd", ">abc", "abc", ""]


def test_undo_after_a_conflict_during_streaming_leaves_an_acceptable_suggestion() -> None:
    """Issue 19: the undo step captured the suggestion mid-stream; restoring it must not revive
    `streaming` (the stream had ended) nor drop the text streamed since."""
    doc, _ = make("alpha beta gamma")
    sid = doc.begin_suggestion("bot", 6, 10)
    doc.stream_suggestion(sid, "BE")
    doc.user_edit(Insert(8, "x"))  # the user types inside the range while it streams
    assert doc.suggestion(sid).status == "conflicted"
    doc.stream_suggestion(sid, "TA")
    doc.finish_suggestion(sid)
    doc.undo()
    suggestion = doc.suggestion(sid)
    assert suggestion.status == "pending" and not suggestion.streaming
    assert suggestion.replacement == "BETA" and doc.text == "alpha beta gamma"
    doc.redo()  # the typing again: conflicted, and the finished stream stays finished
    assert doc.suggestion(sid).status == "conflicted" and not doc.suggestion(sid).streaming
    doc.undo()
    doc.accept(sid)
    assert doc.text == "alpha BETA gamma"


def test_undo_while_still_streaming_keeps_streaming() -> None:
    doc, _ = make("alpha beta gamma")
    sid = doc.begin_suggestion("bot", 6, 10)
    doc.user_edit(Insert(8, "x"))
    doc.undo()
    assert doc.suggestion(sid).streaming and doc.suggestion(sid).status == "pending"
    assert doc.stream_suggestion(sid, "B") == "pending"


def test_withdraw_removes_a_suggestion_that_changes_nothing() -> None:
    doc, events = make("alpha beta")
    sid = doc.begin_suggestion("bot", 0, 5)
    doc.stream_suggestion(sid, " alpha ")
    doc.finish_suggestion(sid)
    assert doc.suggestion(sid).changes_nothing
    doc.withdraw(sid)
    assert not doc.suggestions() and doc.text == "alpha beta" and events[-1].name == "suggestion_removed"
    with pytest.raises(CollabError):
        doc.withdraw(sid)
    assert not doc.suggestion(doc.agent_suggest("bot", 0, 5, "Alpha")).changes_nothing
    assert doc.suggestion(doc.begin_suggestion("bot", 5, 5, kind="insert")).changes_nothing
