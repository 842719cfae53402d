"""Answer and retrieval metrics, following the LoCoMo and LongMemEval papers so figures compare.

Answer score: LoCoMo's token F1 (lowercase, drop punctuation and articles, stem, compare bags of
tokens), with multi-part answers scored part by part. F1 punishes a right answer said in a sentence
("Your name is Liam Walsh." scores 0.57 against "Liam Walsh"), so `contains` sits beside it: 1 when
every gold token is in the answer. Retrieval: recall@k, recall_all@k and
ndcg_any@k over turn ids, and the same at session level. Pure Python: no nltk, no numpy needed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from agent_core.memlab.dataset import Question

MULTI_PART_CATEGORIES = frozenset({"multi_hop", "multi_session"})
"""Categories whose gold answers list several parts ("Lina, Lisbon"); LoCoMo scores them per part."""

# --- normalisation and stemming --------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_CJK = re.compile(r"([\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff])")


def normalize_answer(text: object) -> str:
    """LoCoMo's normalisation: lowercase, delete punctuation (any script), drop articles."""
    lowered = str(text).lower().replace("’", "'")
    kept = "".join(ch for ch in lowered if unicodedata.category(ch)[0] not in "PS")
    return " ".join(_ARTICLES.sub(" ", kept).split())


def _consonant(word: str, i: int) -> bool:
    if word[i] in "aeiou":
        return False
    return word[i] != "y" or i == 0 or not _consonant(word, i - 1)


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel→consonant transitions."""
    pattern = "".join("c" if _consonant(stem, i) else "v" for i in range(len(stem)))
    return pattern.count("vc")


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _cvc(word: str) -> bool:
    return (
        len(word) >= 3
        and _consonant(word, len(word) - 3)
        and not _consonant(word, len(word) - 2)
        and _consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


_STEP2 = sorted(
    [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
     ("alli", "al"), ("entli", "ent"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
     ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"),
     ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("icate", "ic"), ("alize", "al"),
     ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", "")],
    key=lambda pair: -len(pair[0]),
)  # fmt: skip


def stem(word: str) -> str:
    """A small Porter-style suffix stripper (steps 1a–1c and the common step 2/3 suffixes).

    Exact Porter fidelity does not matter for F1: both sides go through the same function, so
    "runs"/"running"/"run" or "Tuesdays"/"Tuesday" land on the same token.
    """
    if len(word) <= 2 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = word[: -len(suffix)]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif len(word) > 1 and word[-1] == word[-2] and _consonant(word, len(word) - 1):
                    word = word if word[-1] in "lsz" else word[:-1]
                elif _measure(word) == 1 and _cvc(word):
                    word += "e"
                break
    if word.endswith("y") and len(word) > 1 and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    for suffix, replacement in _STEP2:
        if word.endswith(suffix) and _measure(word[: -len(suffix)]) > 0:
            return word[: -len(suffix)] + replacement
    return word


def answer_tokens(text: object) -> list[str]:
    """Normalised, stemmed tokens; CJK characters count one token each (no spaces in Chinese)."""
    spaced = _CJK.sub(r" \1 ", normalize_answer(text))
    return [stem(token) for token in spaced.split()]


# --- answer scores ----------------------------------------------------------------------------


class AnswerScore(NamedTuple):
    f1: float
    exact: float
    contains: float


def token_f1(prediction: object, gold: object) -> float:
    """Harmonic mean of token precision and recall, the LoCoMo QA score."""
    pred, ref = answer_tokens(prediction), answer_tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def multi_part_f1(prediction: str, gold: str) -> float:
    """Split both on commas; each gold part takes its best-matching predicted part; average."""
    preds = [p for p in prediction.split(",") if p.strip()] or [""]
    parts = [g for g in gold.split(",") if g.strip()] or [""]
    return sum(max(token_f1(p, g) for p in preds) for g in parts) / len(parts)


def exact_match(prediction: object, gold: object) -> bool:
    return normalize_answer(prediction) == normalize_answer(gold)


def answer_contains(prediction: object, gold: object) -> bool:
    """Is the normalised gold answer in the prediction? Every gold token must be among the
    prediction's (this covers the gold phrase itself, in any order, and CJK character by character)."""
    ref = answer_tokens(gold)
    return bool(ref) and set(ref) <= set(answer_tokens(prediction))


_ABSTAIN = re.compile(
    r"not (?:been |ever )?mentioned|never (?:mentioned|said|told)|no (?:information|mention|record|data|memory)"
    r"|(?:don't|do not|didn't|did not) (?:know|mention|say|tell)|(?:can't|cannot|can not|unable to) "
    r"(?:answer|tell|find|recall|determine)|not (?:known|available|stated|specified)|unknown"
    r"|未(?:提及|提到)|不知道|没有(?:提到|提及|信息)"
)


def is_abstention(prediction: str) -> bool:
    """Does the answer decline ("not mentioned", "I don't know", "no information")?"""
    return bool(_ABSTAIN.search(prediction.lower().replace("’", "'")))


def score_answer(
    prediction: str, gold: str | None, /, *, category: str = "", abstention: bool = False
) -> AnswerScore:
    """F1, exact match and containment for one answer; abstention questions score 1 only for a refusal."""
    if abstention:
        declined = float(is_abstention(prediction))
        return AnswerScore(declined, declined, declined)
    if gold is None:
        return AnswerScore(0.0, 0.0, 0.0)
    f1 = multi_part_f1(prediction, gold) if category in MULTI_PART_CATEGORIES else token_f1(prediction, gold)
    return AnswerScore(f1, float(exact_match(prediction, gold)), float(answer_contains(prediction, gold)))


def score_question(prediction: str, question: Question) -> AnswerScore:
    return score_answer(
        prediction, question.answer, category=question.category, abstention=question.abstention
    )


# --- retrieval --------------------------------------------------------------------------------


def _top(retrieved: Sequence[str], k: int) -> list[str]:
    """First k distinct ids: a retriever returning duplicates must not inflate the scores."""
    return list(dict.fromkeys(retrieved))[:k]


def recall_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float | None:
    """Fraction of the evidence found in the top k; None when there is no evidence to find."""
    wanted = set(relevant)
    if not wanted:
        return None
    return len(wanted.intersection(_top(retrieved, k))) / len(wanted)


def recall_all_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float | None:
    """1.0 only if every evidence id is in the top k (LongMemEval's recall_all)."""
    score = recall_at_k(retrieved, relevant, k)
    return None if score is None else float(score == 1.0)


def ndcg_any_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float | None:
    """Binary-relevance nDCG@k: rewards putting evidence near the top, not just inside k."""
    wanted = set(relevant)
    if not wanted:
        return None
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(_top(retrieved, k)) if item in wanted)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(wanted), k)))
    return dcg / ideal


def session_ranking(retrieved_turns: Sequence[str], turn_sessions: Mapping[str, str]) -> list[str]:
    """Sessions in the order their first turn was retrieved, for session-level metrics."""
    return list(dict.fromkeys(turn_sessions[t] for t in retrieved_turns if t in turn_sessions))


def retrieval_scores(
    retrieved_turns: Sequence[str],
    question: Question,
    ks: Iterable[int],
    turn_sessions: Mapping[str, str] | None = None,
) -> dict[str, float | None]:
    """All retrieval metrics for one question, keyed like "recall@5" / "session_ndcg_any@10"."""
    levels: list[tuple[str, Sequence[str], list[str]]] = [("", retrieved_turns, question.evidence)]
    if turn_sessions is not None:
        levels.append(
            ("session_", session_ranking(retrieved_turns, turn_sessions), question.evidence_sessions)
        )
    scores: dict[str, float | None] = {}
    for prefix, ranking, relevant in levels:
        for k in ks:
            scores[f"{prefix}recall@{k}"] = recall_at_k(ranking, relevant, k)
            scores[f"{prefix}recall_all@{k}"] = recall_all_at_k(ranking, relevant, k)
            scores[f"{prefix}ndcg_any@{k}"] = ndcg_any_at_k(ranking, relevant, k)
    return scores


# --- aggregation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Aggregate:
    mean: float
    count: int


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and not math.isnan(value):
        return float(value)
    return None


def mean_by(
    rows: Iterable[Mapping[str, Any]], value: str, keys: Sequence[str] = ("strategy", "category")
) -> dict[tuple[str, ...], Aggregate]:
    """Mean of `value` per group, skipping missing values (e.g. recall on abstention questions)."""
    sums: dict[tuple[str, ...], list[float]] = {}
    for row in rows:
        number = _number(row.get(value))
        if number is not None:
            sums.setdefault(tuple(str(row.get(k, "")) for k in keys), []).append(number)
    return {group: Aggregate(sum(vals) / len(vals), len(vals)) for group, vals in sorted(sums.items())}


def percentiles(values: Iterable[float | None], qs: Sequence[float] = (50, 95)) -> dict[float, float]:
    """Linear-interpolated percentiles (numpy's default), NaN when there is nothing to measure."""
    data = sorted(v for v in (_number(x) for x in values) if v is not None)
    result: dict[float, float] = {}
    for q in qs:
        if not data:
            result[q] = math.nan
            continue
        pos = (len(data) - 1) * q / 100
        low = math.floor(pos)
        high = min(low + 1, len(data) - 1)
        result[q] = data[low] + (data[high] - data[low]) * (pos - low)
    return result
