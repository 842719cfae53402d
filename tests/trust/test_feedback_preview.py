"""Feedback proposes changes; accepting or rejecting applies exactly what the diff said."""

from __future__ import annotations

from agent_core.chat.agent import ChatAgent
from agent_core.chat.feedback import Proposal
from agent_core.lab import Lab


def _setup(lab: Lab) -> tuple[ChatAgent, str, str]:
    agent = ChatAgent(lab, "ada", memory_mode="hot_path")
    conv = lab.conversations.create("ada").id
    agent.turn(conv, "I live in Paris.")
    res = agent.turn(conv, "Where do I live?")
    return agent, conv, res.message_id


def _pending(lab: Lab, proposal_id: str) -> Proposal:
    (p,) = [p for p in lab.pending_proposals("ada") if p.id == proposal_id]
    return p


def _state(lab: Lab) -> tuple:
    mems = sorted(
        (m.id, m.content, m.valid_to is None, m.feedback_score)
        for m in lab.store.list("ada", include_history=True)
    )
    return mems, lab.procedural.current("ada", "assistant").version


def test_proposal_changes_nothing_and_reject_keeps_it_so(lab: Lab) -> None:
    _agent, _conv, mid = _setup(lab)
    before = _state(lab)
    out = lab.feedback(
        mid, -1, "that's wrong", correction="I live in Berlin.", profile="ada", auto_accept=False
    )
    assert out["pending"] and _state(lab) == before
    p = _pending(lab, out["proposal"])
    kinds = [(c.kind, c.action) for c in p.changes]
    assert ("semantic", "supersede") in kinds and ("procedural", "new_version") in kinds
    assert ("episodic", "score") in kinds
    assert "- Lives in Paris" in out["diff"] and "+ Lives in Berlin" in out["diff"]
    lab.reject_feedback(out["proposal"])
    assert _state(lab) == before and lab.pending_proposals("ada") == []


def test_accepting_some_changes_applies_exactly_those(lab: Lab) -> None:
    _agent, _conv, mid = _setup(lab)
    (mems, version) = _state(lab)
    out = lab.feedback(
        mid, -1, "that's wrong", correction="I live in Berlin.", profile="ada", auto_accept=False
    )
    p = _pending(lab, out["proposal"])
    semantic = next(i for i, c in enumerate(p.changes) if c.kind == "semantic")
    res = lab.accept_feedback(out["proposal"], [semantic])
    assert res["applied"] == [semantic] and res["instructions"] is None
    now, now_version = _state(lab)
    assert now_version == version  # the instructions change was not accepted
    current = sorted(m.content for m in lab.store.list("ada", "semantic"))
    assert current == ["Lives in Berlin"]
    history = {m.content: m.valid_to for m in lab.store.list("ada", "semantic", include_history=True)}
    assert history["Lives in Paris"] is not None  # superseded, kept
    episodes = [m for m in lab.store.list("ada", "episodic")]
    assert all(e.feedback_score == 0 for e in episodes)  # the episode score change was not accepted
    changed = [r for r in res["replay"] if r["changed"]]
    assert any(
        r["question"] == "Where do I live?" and "Berlin" in r["after"] and "Paris" in r["before"]
        for r in changed
    )


def test_accept_all_and_auto_accept(lab: Lab) -> None:
    _agent, _conv, mid = _setup(lab)
    out = lab.feedback(mid, -1, "too long, be concise", profile="ada")  # auto-accept is the default
    assert out["instructions"]["version"] == 2 and out["episodes"] == 1
    assert any(line.startswith("+Keep answers short") for line in out["diff"])
    assert lab.pending_proposals("ada") == []


def test_a_comment_that_corrects_a_fact_proposes_the_fact_change(lab: Lab) -> None:
    _agent, _conv, mid = _setup(lab)
    out = lab.feedback(mid, -1, "No, I live in Madrid.", profile="ada", auto_accept=False)
    p = _pending(lab, out["proposal"])
    assert [(c.kind, c.before, c.after) for c in p.changes if c.kind == "semantic"] == [
        ("semantic", "Lives in Paris", "Lives in Madrid")
    ]


def test_a_scored_episode_is_announced_and_in_its_history(lab: Lab) -> None:
    _agent, _conv, mid = _setup(lab)
    seen: list[tuple[str, list[str]]] = []
    lab.store.subscribe(lambda event, _ns, ids: seen.append((event, ids)))
    out = lab.feedback(mid, 1, "great", profile="ada", auto_accept=False)
    p = _pending(lab, out["proposal"])
    score = next(i for i, c in enumerate(p.changes) if (c.kind, c.action) == ("episodic", "score"))
    lab.accept_feedback(out["proposal"], [score])
    episode = p.changes[score].target_id
    assert ("update", [episode]) in seen  # the inspector refreshes: the score change is not silent
    events = [e.event for e in lab.store.events(episode)]
    assert "FEEDBACK" in events
