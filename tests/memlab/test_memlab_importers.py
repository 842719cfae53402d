"""Importers: the sample files, inline fixtures, and bad records reported by index and skipped."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agent_core.memlab.importers import MAX_TURN_CHARS, DatasetFormatError, load_locomo, load_longmemeval


def locomo_sample(sample_id: str = "s1", sessions: int = 2) -> dict[str, Any]:
    conversation: dict[str, Any] = {"speaker_a": "Ana", "speaker_b": "Bo"}
    for n in range(1, sessions + 1):
        conversation[f"session_{n}_date_time"] = f"1:{10 + n:02d} pm on {n % 28 + 1} May, 2023"
        conversation[f"session_{n}"] = [
            {"speaker": "Ana", "dia_id": f"D{n}:1", "text": f"Ana says {n}."},
            {
                "speaker": "Bo",
                "dia_id": f"D{n}:2",
                "text": f"Bo replies {n}.",
                "img_url": ["x"],
                "blip_caption": "a cat",
            },
        ]
    return {
        "sample_id": sample_id,
        "conversation": conversation,
        "qa": [
            {"question": "What did Ana say?", "answer": "1", "evidence": ["D1:1"], "category": 4},
            {"question": "Both?", "answer": 42, "evidence": ["D1:1; D2:02"], "category": 1},
            {"question": "Cat name?", "evidence": [], "category": 5, "adversarial_answer": "Tom"},
        ],
        "event_summary": {},
        "unknown_new_field": [1, 2, 3],
    }


def lme_item(qid: str = "q1") -> dict[str, Any]:
    return {
        "question_id": qid,
        "question_type": "single-session-user",
        "question": "What is my dog?",
        "answer": "A greyhound",
        "question_date": "2023/05/02 (Tue) 10:00",
        "haystack_session_ids": ["a", "b"],
        "haystack_dates": ["2023/04/01 (Sat) 09:00", "2023/04/20 (Thu) 18:30"],
        "haystack_sessions": [
            [{"role": "user", "content": "Hike?"}, {"role": "assistant", "content": "Cliff path."}],
            [
                {"role": "user", "content": "My greyhound pulls.", "has_answer": True},
                {"role": "assistant", "content": "Train."},
            ],
        ],
        "answer_session_ids": ["b"],
    }


def fields(dataset: Any) -> set[tuple[int, str]]:
    return {(p.index, p.field) for p in dataset.problems}


def test_locomo_shared_sample(samples_dir: Path) -> None:
    data = load_locomo(samples_dir / "locomo_sample.json")
    assert data.problems == []
    assert [c.id for c in data.conversations] == ["toy-1", "toy-2"]
    toy = data.conversations[0]
    first = toy.sessions[0]
    assert first.timestamp is not None and (first.timestamp.day, first.timestamp.hour) == (3, 9)
    assert first.turns[0].role == "user" and first.turns[1].role == "assistant"
    assert "[image: a photo of a grey dog on a sofa]" in first.turns[3].text
    by_cat = {q.category: q for q in toy.questions}
    assert by_cat["adversarial"].answer is None and by_cat["adversarial"].abstention
    assert by_cat["adversarial"].adversarial_answer == "Pixel"
    assert by_cat["multi_hop"].evidence_sessions == ["session_1", "session_2"]
    assert "2023" in {q.answer for q in toy.questions}
    assert data.conversations[1].questions[1].answer == "杭州"
    assert len(data.source_hash) == 64


def test_longmemeval_shared_sample(samples_dir: Path) -> None:
    data = load_longmemeval(samples_dir / "longmemeval_sample.json")
    assert data.problems == [] and len(data.conversations) == 3
    q1, q2, q3 = (c.questions[0] for c in data.conversations)
    assert q1.evidence == ["s_b:0"] and q1.evidence_sessions == ["s_b"]
    assert q2.category == "knowledge-update" and q2.evidence == ["s_c:0", "s_d:0"]
    assert q3.abstention and q3.evidence == []
    assert q1.asked_at is not None and (q1.asked_at.month, q1.asked_at.hour) == (5, 10)


def test_locomo_inline_and_repairs() -> None:
    data = load_locomo([locomo_sample()])
    conv = data.conversations[0]
    assert conv.speakers == ["Ana", "Bo"]
    assert conv.sessions[1].turns[1].text == "Bo replies 2. [image: a cat]"
    q_multi = conv.questions[1]
    assert q_multi.answer == "42" and q_multi.category == "multi_hop"
    assert q_multi.evidence == ["D1:1", "D2:2"]  # joined and zero-padded ids repaired
    assert conv.questions[2].abstention and conv.questions[2].answer is None


def test_longmemeval_evidence_falls_back_to_answer_sessions() -> None:
    item = lme_item()
    for turn in item["haystack_sessions"][1]:
        turn.pop("has_answer", None)
    question = load_longmemeval([item]).conversations[0].questions[0]
    assert question.evidence == ["b:0", "b:1"]


def test_locomo_bad_records_are_reported_and_skipped() -> None:
    good = locomo_sample("good")
    no_conv = {"sample_id": "x", "qa": []}
    bad_speakers = copy.deepcopy(good) | {"sample_id": "y"}
    bad_speakers["conversation"]["speaker_a"] = 7
    partly_bad = locomo_sample("partly")
    partly_bad["conversation"]["session_1"].append({"speaker": "Ana", "text": "no id"})
    partly_bad["conversation"]["session_1"].append(
        {"speaker": "Ana", "dia_id": "D1:9", "text": "x" * (MAX_TURN_CHARS + 5)}
    )
    partly_bad["conversation"]["session_2"] = []
    partly_bad["conversation"]["session_3"] = "not a list"
    partly_bad["conversation"]["session_1_date_time"] = "yesterday-ish"
    partly_bad["qa"] += [
        {"question": "?", "answer": "a", "category": 9},
        {"question": 3, "answer": "a", "category": 4},
        "junk",
    ]
    records = [
        good,
        no_conv,
        "a string",
        bad_speakers,
        partly_bad,
        {"sample_id": "z", "conversation": {"speaker_a": "a", "speaker_b": "b"}},
    ]
    data = load_locomo(records)
    assert [c.id for c in data.conversations] == ["good", "partly"]
    problems = fields(data)
    assert (1, "conversation") in problems
    assert (2, "") in problems
    assert (3, "conversation.speaker_a/speaker_b") in problems
    assert {(4, "conversation.session_1[2].dia_id"), (4, "conversation.session_1[3].text")} <= problems
    assert {(4, "conversation.session_2"), (4, "conversation.session_3")} <= problems
    assert {
        (4, "conversation.session_1_date_time"),
        (4, "qa[3].category"),
        (4, "qa[4].question"),
        (4, "qa[5]"),
    } <= problems
    assert (5, "conversation") in problems
    partly = data.conversations[1]
    assert len(partly.sessions) == 1 and len(partly.sessions[0].turns[-1].text) == MAX_TURN_CHARS
    assert partly.sessions[0].timestamp is None and len(partly.questions) == 3
    assert partly.questions[1].evidence == ["D1:1"]  # session 2 was dropped, so its evidence id is too
    assert any("D2" in p.message for p in data.problems if p.field == "qa[1].evidence")


def test_longmemeval_bad_records_are_reported_and_skipped() -> None:
    missing_answer = lme_item("q2")
    del missing_answer["answer"]
    wrong_type = lme_item("q3") | {"haystack_sessions": "nope"}
    empty = lme_item("q4") | {"haystack_sessions": [[], [{"role": "robot", "content": "x"}]]}
    short_ids = lme_item("q5") | {"haystack_session_ids": ["a"], "answer_session_ids": ["zzz"]}
    short_ids["haystack_sessions"][0][0]["content"] = "y" * (MAX_TURN_CHARS + 1)
    data = load_longmemeval([lme_item(), missing_answer, wrong_type, empty, short_ids, 5])
    assert [c.id for c in data.conversations] == ["q1", "q5"]
    problems = fields(data)
    assert {(1, "answer"), (2, "haystack_sessions"), (3, "haystack_sessions[0]")} <= problems
    assert {(3, "haystack_sessions[1][0]"), (3, "haystack_sessions"), (5, "")} <= problems
    assert {
        (4, "haystack_session_ids"),
        (4, "answer_session_ids"),
        (4, "haystack_sessions[0][0].content"),
    } <= problems
    q5 = data.conversations[1]
    assert [s.id for s in q5.sessions] == ["q5:s0", "q5:s1"] and q5.questions[0].evidence_sessions == []


@pytest.mark.parametrize("loader", [load_locomo, load_longmemeval])
def test_non_list_top_level_is_a_clear_error(loader: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": []}))
    with pytest.raises(DatasetFormatError, match="JSON list"):
        loader(path)
    path.write_text("{not json")
    with pytest.raises(DatasetFormatError, match="not valid JSON"):
        loader(path)


def test_file_hash_and_dataset_hash(tmp_path: Path) -> None:
    records = [locomo_sample("a"), locomo_sample("b")]
    compact, pretty = tmp_path / "compact.json", tmp_path / "pretty.json"
    compact.write_text(json.dumps(records))
    pretty.write_text(json.dumps(records, indent=2))
    one, two = load_locomo(compact), load_locomo(pretty)
    assert one.source_hash != two.source_hash  # hash of the bytes
    assert one.dataset_hash == two.dataset_hash  # hash of the content
    assert one.name == "compact"


def test_locomo_public_size_loads_quickly() -> None:
    """The public LoCoMo file has ~5,900 turns; 10 conversations × 30 sessions × 20 turns here."""
    records = []
    for c in range(10):
        sample = locomo_sample(f"c{c}", sessions=30)
        for n in range(1, 31):
            sample["conversation"][f"session_{n}"] = [
                {"speaker": "Ana" if t % 2 else "Bo", "dia_id": f"D{n}:{t}", "text": f"turn {t} " * 20}
                for t in range(1, 21)
            ]
        records.append(sample)
    data = load_locomo(json.dumps(records).encode())
    assert data.n_turns == 6000 and not data.problems
    assert len(data.dataset_hash) == 64
