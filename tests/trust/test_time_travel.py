"""Time travel: the store at turn N is what recall returned at that time; pending jobs; diffs."""

from __future__ import annotations

import time

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.provenance import turn_points
from memory.timetravel import diff, replay, store_at

SCRIPT = [
    "My name is Ada.",
    "I live in Paris.",
    "I work as a teacher.",
    "I moved to Berlin.",
    "I love hiking.",
    "I work as a nurse now.",
]


def test_store_at_turn_n_equals_what_recall_returned_then(lab: Lab) -> None:
    agent = ChatAgent(lab, "ada", memory_mode="hot_path")
    conv = lab.conversations.create("ada").id
    recorded: list[tuple[object, set[str]]] = []
    for text in SCRIPT:
        agent.turn(conv, text)
        seen = {r.memory.id for r in lab.store.recall("ada", "what do you know about me", k=20)}
        recorded.append((lab.clock.now(), seen))
    assert len({frozenset(s) for _t, s in recorded}) == len(SCRIPT)  # the store changed every turn
    for at, seen in recorded:
        then = {r.memory.id for r in lab.store.recall("ada", "what do you know about me", k=20, as_of=at)}
        assert then == seen
        assert store_at(lab.engine, "ada", at).recallable_ids == seen
    # replaying shows the store growing, with the move and the job change superseding old facts
    points = [p.at for p in turn_points(lab.engine, "ada")]
    assert len(points) == len(SCRIPT)
    snaps = replay(lab.engine, "ada", points)
    assert [len(s.valid) for s in snaps] == [1, 2, 3, 3, 4, 4]
    d = diff(snaps[2], snaps[3])
    assert [m.content for m in d.added] == ["Lives in Berlin"]
    assert [m.content for m in d.ended] == ["Lives in Paris"]
    assert d.lines() == ["+ Lives in Berlin", "- Lives in Paris"]


def test_pending_background_jobs_and_late_recallability(lab: Lab) -> None:
    lab.background.debounce_s = 60.0
    agent = ChatAgent(lab, "ada", memory_mode="background")
    conv = lab.conversations.create("ada").id
    res = agent.turn(conv, "I live in Rome.")
    during = lab.clock.now()
    snap = store_at(lab.engine, "ada", during)
    assert [j.id for j in snap.pending_jobs] == [res.job_id] and snap.valid == []
    time.sleep(0.01)
    assert lab.background.flush(20)
    after = lab.clock.now()
    assert store_at(lab.engine, "ada", during).pending_jobs[0].id == res.job_id  # the past is unchanged
    now = store_at(lab.engine, "ada", after)
    assert now.pending_jobs == [] and [m.content for m in now.recallable] == ["Lives in Rome"]
    assert [m.content for m in diff(snap, now).added] == ["Lives in Rome"]
