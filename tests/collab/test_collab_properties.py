"""Property tests: random interleavings of user typing and agent suggestions never lose a keystroke.

A reference model tags every character (initial text, user-typed, agent-accepted) and follows the
document's ``text_changed`` events. Checked after every step:
(a) no user character disappears except by the user's own delete or inside an accepted suggestion's
    ``original`` as it was when the agent made it (so never one typed after the suggestion was made);
(b) a conflicted suggestion is never applied;
(c) a pending suggestion's ``original`` equals ``text[start:end]`` and covers exactly the characters
    it was made on.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_core.collab import CollabDocument, CollabError, ConflictError, Delete, DocEvent, Insert

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALPHABET = st.text(alphabet="abxyz .", min_size=1, max_size=4)
STEPS = (
    "type",
    "type",
    "delete",
    "delete",
    "suggest",
    "begin",
    "stream",
    "finish",
    "accept",
    "reject",
    "all",
)


class Model:
    """Character identities alongside the document, fed by its events."""

    def __init__(self, doc: CollabDocument) -> None:
        self.doc = doc
        self.fresh = itertools.count()
        self.tags: list[tuple[str, int]] = [("init", next(self.fresh)) for _ in doc.text]
        self.typed: set[tuple[str, int]] = set(self.tags)
        self.user_deleted: set[tuple[str, int]] = set()
        self.agent_removed: set[tuple[str, int]] = set()
        self.made_on: dict[str, list[tuple[str, int]]] = {}
        self.ever_conflicted: set[str] = set()
        self.context = "user"
        doc.subscribe(self.on_event)

    def on_event(self, event: DocEvent) -> None:
        op = event.op
        if isinstance(op, Insert):
            source = "user" if self.context == "user" else "agent"
            new = [(source, next(self.fresh)) for _ in op.text]
            if source == "user":
                self.typed.update(new)
            self.tags[op.pos : op.pos] = new
        elif isinstance(op, Delete):
            gone = self.tags[op.pos : op.end]
            del self.tags[op.pos : op.end]
            (self.user_deleted if self.context == "user" else self.agent_removed).update(gone)

    def check(self) -> None:
        doc = self.doc
        assert len(self.tags) == len(doc.text)
        for s in doc.suggestions():
            if s.status == "conflicted":
                self.ever_conflicted.add(s.id)
                assert s.conflict_reason
            if s.status == "pending":
                assert 0 <= s.start <= s.end <= len(doc.text)
                assert doc.text[s.start : s.end] == s.original  # (c)
                assert self.tags[s.start : s.end] == self.made_on[s.id]  # no later keystroke inside
            assert not (s.id in self.ever_conflicted and s.status == "accepted")  # (b)
        # (a) every surviving user keystroke is still there, and agents only removed anchored text
        removable: set[tuple[str, int]] = set()
        for s in doc.suggestions():
            if s.status == "accepted":
                removable.update(self.made_on[s.id])
        assert self.agent_removed <= removable
        alive = set(self.tags)
        assert self.typed - self.user_deleted - removable <= alive


def _range(data: st.DataObject, size: int) -> tuple[int, int]:
    start = data.draw(st.integers(0, size))
    return start, data.draw(st.integers(start, min(size, start + 6)))


def _step(data: st.DataObject, doc: CollabDocument, model: Model, step: str) -> None:
    size = len(doc.text)
    ids = [s.id for s in doc.suggestions()]
    model.context = "user"
    if step == "type":
        doc.user_edit(Insert(data.draw(st.integers(0, size)), data.draw(ALPHABET)))
    elif step == "delete" and size:
        start, end = _range(data, size)
        doc.user_edit(Delete(start, end - start))
    elif step in ("suggest", "begin"):
        start, end = _range(data, size)
        kind = "insert" if start == end else data.draw(st.sampled_from(["rewrite", "delete", "comment"]))
        if step == "begin":
            sid = doc.begin_suggestion("bot", start, end, kind=kind)
        else:
            replacement = "" if kind == "delete" else data.draw(ALPHABET)
            sid = doc.agent_suggest(
                data.draw(st.sampled_from(["bot", "critic"])), start, end, replacement, kind
            )
        model.made_on[sid] = model.tags[start:end]
    elif step == "stream" and ids:
        sid = data.draw(st.sampled_from(ids))
        if doc.suggestion(sid).streaming:
            doc.stream_suggestion(sid, data.draw(ALPHABET))
    elif step == "finish" and ids:
        doc.finish_suggestion(data.draw(st.sampled_from(ids)))
    elif step == "accept" and ids:
        _try_accept(doc, model, data.draw(st.sampled_from(ids)))
    elif step == "reject" and ids:
        sid = data.draw(st.sampled_from(ids))
        if doc.suggestion(sid).is_open:
            before = doc.text
            doc.reject(sid)
            assert doc.text == before  # reject leaves the text exactly as it was
    elif step == "all":
        model.context = "agent"
        if data.draw(st.booleans()):
            doc.accept_all(data.draw(st.sampled_from([None, "bot", "critic"])))
        else:
            before = doc.text
            doc.reject_all(data.draw(st.sampled_from([None, "bot"])))
            assert doc.text == before


def _try_accept(doc: CollabDocument, model: Model, sid: str) -> None:
    suggestion = doc.suggestion(sid)
    before = doc.text
    model.context = "agent"
    if suggestion.status == "conflicted":
        try:
            doc.accept(sid)
        except ConflictError:
            assert doc.text == before and suggestion.status == "conflicted"
            return
        raise AssertionError("a conflicted suggestion was accepted")
    if suggestion.status != "pending" or suggestion.streaming:
        try:
            doc.accept(sid)
        except CollabError:
            assert doc.text == before
            return
        raise AssertionError("accepted a suggestion that was not ready")
    start = suggestion.start
    doc.accept(sid)
    if suggestion.kind != "comment":
        assert (
            doc.text == before[:start] + suggestion.replacement + before[start + len(suggestion.original) :]
        )


@SETTINGS
@given(st.text(alphabet="abc .", max_size=12), st.data())
def test_random_interleavings_never_lose_a_keystroke(initial: str, data: st.DataObject) -> None:
    doc = CollabDocument(initial)
    model = Model(doc)
    for step in data.draw(st.lists(st.sampled_from(STEPS), max_size=25)):
        _step(data, doc, model, step)
        model.check()
    accepted_any = any(s.status == "accepted" for s in doc.suggestions())
    final = doc.text
    doc.reject_all()
    assert doc.text == final
    if not accepted_any:  # without accepts, the text is the user's text alone
        assert all(source != "agent" for source, _ in model.tags)


@SETTINGS
@given(st.text(alphabet="abc .", max_size=12), st.data())
def test_undo_everything_then_redo_everything(initial: str, data: st.DataObject) -> None:
    clock = itertools.count(0, 0.5)
    doc = CollabDocument(initial, clock=lambda: next(clock))
    model = Model(doc)
    steps = ("type", "delete", "suggest", "accept", "all", "undo", "redo")
    for step in data.draw(st.lists(st.sampled_from(steps), max_size=20)):
        if step == "undo":
            doc.undo()
        elif step == "redo":
            doc.redo()
        else:
            _step(data, doc, model, step)
        for s in doc.suggestions(open_only=True):
            if s.status == "pending":
                assert doc.text[s.start : s.end] == s.original
    final, undone = doc.text, 0
    while doc.undo():
        undone += 1
        for s in doc.suggestions(open_only=True):
            if s.status == "pending":
                assert doc.text[s.start : s.end] == s.original
    assert doc.text == initial
    for _ in range(undone):
        assert doc.redo()
    assert doc.text == final
