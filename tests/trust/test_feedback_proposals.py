"""Pending feedback proposals live in SQLite: exact round trip, shared by every Lab on a data dir,
settled once (a second accept, a reject after an accept, an unknown id: a clear error)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent_core.chat import feedback
from agent_core.chat.agent import ChatAgent
from agent_core.chat.feedback import Change, Proposal
from agent_core.chat.proposals import PROPOSAL_EVENT, ProposalError, from_json, to_json
from agent_core.lab import Lab


def _reply(lab: Lab) -> str:
    agent = ChatAgent(lab, "ada", memory_mode="hot_path")
    conv = lab.conversations.create("ada").id
    agent.turn(conv, "I live in Paris.")
    return agent.turn(conv, "Where do I live?").message_id


def _propose(lab: Lab, mid: str) -> str:
    out = lab.feedback(mid, -1, "that's wrong", "I live in Berlin.", "ada", auto_accept=False)
    return out["proposal"]


@pytest.fixture
def second(lab: Lab) -> Iterator[Lab]:
    """Another Lab on the same data dir (as the agent engine's child has), sharing the vector index."""
    other = Lab(lab.data_dir, lab.settings, index=lab.store.index)
    yield other
    other.background.close()
    other.engine.dispose()


def test_a_proposal_round_trips_exactly(lab: Lab) -> None:
    mid = _reply(lab)
    p = feedback.propose(lab, mid, -1, "so wrong", correction="I live in Zürich.", profile="ada")
    assert {c.kind for c in p.changes} == {"semantic", "procedural", "episodic"}
    assert from_json(to_json(p)) == p
    lab.proposals.add(p)
    assert lab.proposals.get(p.id) == p and lab.pending_proposals("ada") == [p]
    odd = Proposal(
        "m1",
        "bob",
        "assistant",
        1,
        "ça va — “quotes”",
        "",
        [Change("semantic", "add", None, "Likes 🍕", None, {"slot": "likes", "confidence": 0.1 + 0.2})],
        status="applied",
        applied=[0],
        replay=[{"question": "q", "before": "a", "after": "b", "changed": True}],
    )
    assert from_json(to_json(odd)) == odd


def test_a_proposal_made_in_one_lab_is_seen_and_accepted_in_another(lab: Lab, second: Lab) -> None:
    mid = _reply(lab)
    seen: list[tuple[str, str, list[str]]] = []
    lab.store.subscribe(lambda event, ns, ids: seen.append((event, ns, ids)))
    pid = _propose(lab, mid)
    assert (PROPOSAL_EVENT, "ada", [pid]) in seen  # the inspector hears of it (through the engine too)
    (p,) = second.pending_proposals("ada")
    assert p == lab.proposals.get(pid) and p.status == "pending"
    semantic = next(i for i, c in enumerate(p.changes) if c.kind == "semantic")
    version = lab.procedural.current("ada", "assistant").version
    res = second.accept_feedback(pid, [semantic])
    assert res["applied"] == [semantic]
    assert [m.content for m in lab.store.list("ada", "semantic")] == ["Lives in Berlin"]
    assert lab.pending_proposals("ada") == [] and lab.proposals.get(pid).status == "applied"
    with pytest.raises(ProposalError, match="already applied"):
        lab.accept_feedback(pid)  # nothing applied twice: the instructions change stays out too
    assert lab.procedural.current("ada", "assistant").version == version
    with pytest.raises(ProposalError, match="already applied"):
        lab.reject_feedback(pid)


def test_rejected_or_unknown_proposals_cannot_be_settled(lab: Lab, second: Lab) -> None:
    pid = _propose(lab, _reply(lab))
    second.reject_feedback(pid)
    assert lab.pending_proposals("ada") == []
    with pytest.raises(ProposalError, match="already rejected"):
        lab.accept_feedback(pid)
    with pytest.raises(ProposalError, match="no feedback proposal nope"):
        lab.accept_feedback("nope")
    with pytest.raises(ProposalError, match="no feedback proposal"):
        lab.reject_feedback("nope")


def test_a_failed_apply_stays_pending_and_a_retry_applies_nothing_twice(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _propose(lab, _reply(lab))
    kinds = [c.kind for c in lab.proposals.get(pid).changes]
    assert kinds == ["semantic", "procedural", "episodic"]
    version = lab.procedural.current("ada", "assistant").version

    def broken(*_a: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(feedback, "_set_score", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        lab.accept_feedback(pid)
    (p,) = lab.pending_proposals("ada")
    assert p.applied == [0, 1]  # the fact and the instructions went in before the failure
    monkeypatch.undo()
    res = lab.accept_feedback(pid)
    assert res["applied"] == [0, 1, 2] and res["episodes"] == 1
    assert lab.procedural.current("ada", "assistant").version == version + 1  # committed once
    assert [m.content for m in lab.store.list("ada", "semantic")] == ["Lives in Berlin"]


def test_forgetting_a_profile_deletes_its_proposals(lab: Lab) -> None:
    pid = _propose(lab, _reply(lab))
    out = lab.forget_profile("ada")
    assert out["deleted"].get("feedback_proposal") == 1
    assert lab.proposals.get(pid) is None and out["audit"]["clean"]


def test_a_claim_left_by_a_killed_process_is_released_at_start_up(lab: Lab, second: Lab) -> None:
    pid = _propose(lab, _reply(lab))
    second.proposals.claim(pid)  # the engine took it to apply, then died before settling it
    assert lab.pending_proposals("ada") == []
    with pytest.raises(ProposalError, match="being applied"):
        lab.accept_feedback(pid)
    lab.warm_up()  # the next start
    assert [p.id for p in lab.pending_proposals("ada")] == [pid]
    assert lab.accept_feedback(pid)["applied"]
