"""Metrics: LoCoMo normalisation and F1, multi-part answers, abstention, retrieval, aggregation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_core.memlab.dataset import Question
from agent_core.memlab.metrics import (
    answer_contains,
    answer_tokens,
    exact_match,
    is_abstention,
    mean_by,
    multi_part_f1,
    ndcg_any_at_k,
    normalize_answer,
    percentiles,
    recall_all_at_k,
    recall_at_k,
    retrieval_scores,
    score_answer,
    score_question,
    session_ranking,
    stem,
    token_f1,
)


def test_normalisation_drops_case_punctuation_articles() -> None:
    assert normalize_answer("The Cat, a Dog & an Owl!") == "cat dog owl"
    assert normalize_answer("杭州。") == "杭州"
    assert answer_tokens("Running on Tuesdays") == answer_tokens("run on tuesday")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("running", "run"), ("runs", "run"), ("caresses", "caress"), ("ponies", "poni"), ("hopping", "hop"),
     ("relational", "relate"), ("agreed", "agree"), ("sky", "sky"), ("falling", "fall"), ("is", "is")],
)  # fmt: skip
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_stem_never_crashes_or_empties(word: str) -> None:
    assert stem(word)


def test_token_f1() -> None:
    assert token_f1("Tuesdays", "tuesday") == 1.0
    assert token_f1("on Tuesdays after work", "Tuesdays") == pytest.approx(0.4)
    assert token_f1("nothing", "Tuesdays") == 0.0
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0
    assert token_f1(2023, "2023") == 1.0
    assert token_f1("上海", "上海市") == pytest.approx(0.8)


def test_multi_hop_splits_gold_on_commas() -> None:
    assert multi_part_f1("Lisbon, Lina", "Lina, Lisbon") == 1.0
    assert multi_part_f1("Lina", "Lina, Lisbon") == pytest.approx(0.5)
    multi = score_answer("Sam, climbing", "Sam, climbing", category="multi_hop")
    plain = score_answer("climbing and Sam", "Sam, climbing", category="single_hop")
    assert multi.f1 == 1.0 and plain.f1 < 1.0


def test_exact_match() -> None:
    assert exact_match("The Tuesday.", "tuesday")
    assert not exact_match("Tuesdays", "Tuesday")


def test_contains_credits_a_right_answer_said_in_a_sentence() -> None:
    """F1 scores "Your name is Liam Walsh." 0.57 against "Liam Walsh"; containment calls it right."""
    right = score_answer("Your name is Liam Walsh.", "Liam Walsh")
    assert right.f1 == pytest.approx(0.571, abs=0.001)
    assert right.contains == 1.0 and right.exact == 0.0
    for wrong in ("Your name is Liam.", "Your name is Ada Walsh.", "Williams", ""):
        assert score_answer(wrong, "Liam Walsh").contains == 0.0, wrong


@pytest.mark.parametrize(
    ("prediction", "gold", "expected"),
    [("Walsh, Liam", "Liam Walsh", True), ("It was in 2022.", 2022, True), ("in 2021", "2022", False),
     ("The Tuesdays", "Tuesday", True), ("你住在上海。", "上海", True), ("你住在北京。", "上海", False),
     ("anything", "", False)],
)  # fmt: skip
def test_answer_contains(prediction: str, gold: object, expected: bool) -> None:
    assert answer_contains(prediction, gold) is expected


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [("That was not mentioned.", True), ("I don't know.", True), ("There is no information about it.", True),
     ("I don’t know", True), ("你没有提到。", True), ("Pixel", False), ("Your cat is called Pixel", False)],
)  # fmt: skip
def test_abstention(prediction: str, expected: bool) -> None:
    assert is_abstention(prediction) is expected
    score = score_answer(prediction, None, category="adversarial", abstention=True)
    assert score.f1 == score.exact == score.contains == float(expected)


def test_score_question_uses_category() -> None:
    q = Question("q", "who?", "Lina, Lisbon", category="multi_hop")
    assert score_question("Lisbon, Lina", q).f1 == 1.0
    assert score_answer("x", None).f1 == 0.0


def test_retrieval_metrics() -> None:
    retrieved = ["t9", "t1", "t1", "t3", "t4"]
    assert recall_at_k(retrieved, ["t1", "t4"], 2) == 0.5
    assert recall_at_k(retrieved, ["t1", "t4"], 4) == 1.0  # the duplicate does not use a slot
    assert recall_all_at_k(retrieved, ["t1", "t4"], 2) == 0.0
    assert recall_all_at_k(retrieved, ["t1", "t4"], 4) == 1.0
    assert recall_at_k(retrieved, [], 5) is None and ndcg_any_at_k(retrieved, [], 5) is None
    assert ndcg_any_at_k(["a", "b"], ["a"], 5) == 1.0
    assert ndcg_any_at_k(["b", "a"], ["a"], 5) == pytest.approx(1 / math.log2(3))
    assert ndcg_any_at_k(["x"], ["a"], 5) == 0.0


def test_session_level_and_bundle() -> None:
    sessions = {"t1": "s1", "t2": "s1", "t3": "s2"}
    assert session_ranking(["t2", "t1", "zz", "t3"], sessions) == ["s1", "s2"]
    q = Question("q", "?", "a", evidence=["t3"], evidence_sessions=["s2"])
    scores = retrieval_scores(["t1", "t2", "t3"], q, [1, 3], sessions)
    assert scores["recall@1"] == 0.0 and scores["recall@3"] == 1.0
    assert scores["session_recall@1"] == 0.0 and scores["session_recall_all@3"] == 1.0
    assert "session_ndcg_any@1" in scores and "session_recall@1" not in retrieval_scores([], q, [1])


def test_mean_by_and_percentiles() -> None:
    rows = [
        {"strategy": "a", "category": "x", "f1": 1.0},
        {"strategy": "a", "category": "x", "f1": 0.0},
        {"strategy": "a", "category": "y", "f1": None},
        {"strategy": "b", "category": "x", "f1": True},
    ]
    means = mean_by(rows, "f1")
    assert means[("a", "x")].mean == 0.5 and means[("a", "x")].count == 2
    assert ("a", "y") not in means and means[("b", "x")].mean == 1.0
    assert percentiles(range(1, 101), (50, 95)) == {50: pytest.approx(50.5), 95: pytest.approx(95.05)}
    assert math.isnan(percentiles([None], (50,))[50])
