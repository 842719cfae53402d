"""Scenario generator: deterministic per seed, every category present, evidence on the right turns."""

from __future__ import annotations

import re

import pytest

from agent_core.memlab.scenario import ABSTAIN_ANSWER, CATEGORIES, SIZES, generate_scenario


def test_same_seed_same_dataset_other_seed_differs() -> None:
    assert generate_scenario("small", seed=3) == generate_scenario("small", seed=3)
    assert generate_scenario("small", seed=3).dataset_hash != generate_scenario("small", seed=4).dataset_hash


def test_conversation_is_independent_of_size() -> None:
    assert generate_scenario(2).conversations[1] == generate_scenario("small").conversations[1]


@pytest.mark.parametrize(
    ("size", "expected"), [("tiny", SIZES["tiny"]), ("medium", SIZES["medium"]), (4, (4, 6))]
)
def test_sizes(size: str | int, expected: tuple[int, int]) -> None:
    data = generate_scenario(size)
    assert len(data.conversations) == expected[0]
    assert {len(c.sessions) for c in data.conversations} == {expected[1]}


def test_large_is_fast_enough_and_large() -> None:
    data = generate_scenario("large")
    assert len(data.conversations) == 50 and data.n_turns > 4000


def test_bad_sizes() -> None:
    with pytest.raises(ValueError):
        generate_scenario("huge")
    with pytest.raises(ValueError):
        generate_scenario(0)


def test_categories_and_evidence_point_at_the_facts() -> None:
    data = generate_scenario("tiny", seed=7)
    for conversation in data.conversations:
        turns = {t.id: t for t in conversation.turns()}
        ordered = list(turns)
        assert {q.category for q in conversation.questions} == set(CATEGORIES)
        for q in conversation.questions:
            assert all(e in turns and turns[e].role == "user" for e in q.evidence)
            assert q.evidence_sessions == list(dict.fromkeys(turns[e].session_id for e in q.evidence))
            if q.abstention:
                assert q.category == "abstention" and q.answer == ABSTAIN_ANSWER and not q.evidence
            elif q.category == "multi_session":
                assert len(q.evidence_sessions) == 2
                assert all(
                    part.strip() in " ".join(turns[e].text for e in q.evidence)
                    for part in q.answer.split(",")
                )
            elif q.category == "recent":
                assert q.evidence == [ordered[-1]] and q.answer in turns[ordered[-1]].text
                last = turns[ordered[-1]].timestamp
                assert (
                    q.asked_at is not None
                    and last is not None
                    and 0 < (q.asked_at - last).total_seconds() < 10
                )
            elif q.category == "temporal":
                first, update = (turns[e] for e in q.evidence)
                assert q.answer in first.text and ordered.index(first.id) < ordered.index(update.id)
            else:
                assert q.answer is not None and q.answer in turns[q.evidence[-1]].text


def test_facts_use_extractor_phrasings_and_updates_contradict() -> None:
    data = generate_scenario("small", seed=1)
    text = "\n".join(t.text for c in data.conversations for t in c.turns() if t.role == "user")
    for phrase in (
        "My name is",
        "I live in",
        "I moved to",
        "I work as",
        "I prefer",
        "Remember that",
        "我住在",
    ):
        assert phrase in text
    for conversation in data.conversations:
        updates = {q.question: q.answer for q in conversation.questions if q.category == "knowledge_update"}
        temporal = [q.answer for q in conversation.questions if q.category == "temporal"]
        assert set(updates.values()).isdisjoint(temporal)  # the current value differs from the old one


def test_timestamps_increase() -> None:
    conversation = generate_scenario("tiny").conversations[0]
    stamps = [t.timestamp for t in conversation.turns()]
    assert all(a is not None and b is not None and a < b for a, b in zip(stamps, stamps[1:], strict=False))
    assert all(re.fullmatch(r"scn-\d{3}-s\d{2}:\d+", t.id) for t in conversation.turns())
