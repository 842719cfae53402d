"""Recall scoring: relevance (dense and lexical scores fused), speaker, recency, importance.

Relevance fuses the two rankers by their scores, not their ranks: each is scaled to [0, 1] over
the candidates (cosine min-max, BM25 by its best) and the two are averaged. Reciprocal-rank
fusion, which this replaced, gives rank 30 of a lexical list the same credit whether it matched
the question's rarest word or only a name every other memory holds; on LoCoMo it scored below
BM25 alone (recall@10 0.56 vs 0.57), score fusion above both (README, performance).
Every candidate keeps its score parts, so a UI can say *why* a memory came back.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from memory.models import Memory

MODES = ("fused", "dense", "lexical")
MIN_SIMILARITY = 0.35
"""Cosine below which a memory sharing no word with the query is not a match (MiniLM's scale)."""
_PRESENT = re.compile(
    r"\b(now|current(ly)?|these days|nowadays|at the moment|still|latest|most recent(ly)?|recently|lately|"
    r"today|this (week|month|year)|any ?more|new)\b|现在|目前|最近|如今|还",
    re.IGNORECASE,
)


def about_the_present(query: str) -> bool:
    """Does the query ask how things stand now ("Where do I live now?", "my latest job")?"""
    return bool(_PRESENT.search(query))


@dataclass(frozen=True)
class RecallWeights:
    relevance: float = 1.0
    recency: float = 0.25
    importance: float = 0.25
    half_life_hours: float = 24.0 * 7
    speaker: float = 0.3
    """Bonus for a memory whose speaker the query names ("What did Caroline paint?")."""
    mode: str = "fused"
    """Which relevance ranks: "fused" (dense + lexical), "dense" or "lexical" alone."""
    past_recency: float = 0.2
    """Recency's share for a query that does not ask about the present ("When did …?"): a
    tie-breaker, so a question about session 3 asked after session 30 still finds session 3."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"recall mode must be one of {', '.join(MODES)}, not {self.mode!r}")


@dataclass
class ScoreParts:
    relevance: float
    recency: float
    importance: float
    score: float
    dense_similarity: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None
    speaker: float = 0.0
    recency_weight: float | None = None
    """The recency weight this query used (lowered for a question about the past)."""

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@dataclass
class Recalled:
    memory: Memory
    parts: ScoreParts
    extra: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return self.parts.score

    @property
    def fact(self):  # noqa: ANN201 - memory.api.Fact (imported late: api imports this module)
        """The memory as plain values (the public API's `Fact`)."""
        from memory.api import Fact

        return Fact.of(self.memory)

    def matches(self, min_similarity: float = MIN_SIMILARITY) -> bool:
        """A real match, not merely the best of a poor lot: it shares a word with the query, or
        is close in meaning (scaled scores always crown *something*)."""
        return self.parts.lexical_rank is not None or (self.parts.dense_similarity or 0.0) >= min_similarity

    def as_dict(self) -> dict:
        m = self.memory
        return {
            "id": m.id,
            "kind": m.kind,
            "content": m.content,
            "slot": m.slot,
            "pinned": m.pinned,
            "score": round(self.parts.score, 4),
            "parts": {
                k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.parts.as_dict().items()
            },
        }


def named_speakers(query: str, memories: dict[str, Memory]) -> set[str]:
    """The candidates' speakers that the query names as a word ("Caroline", "caroline's")."""
    speakers = {m.speaker for m in memories.values() if m.speaker}
    return {
        name
        for name in speakers
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", query, flags=re.IGNORECASE)
    }


def score_candidates(
    memories: dict[str, Memory],
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    weights: RecallWeights,
    now: datetime,
    query: str = "",
) -> list[Recalled]:
    """Fuse the two rankers' scores, add speaker, recency and importance; best first.

    `dense` holds (id, cosine distance) nearest first, `lexical` (id, BM25 score) best first.
    """
    dense_rank = {mid: i for i, (mid, _d) in enumerate(dense)}
    dense_sim = {mid: 1.0 - dist for mid, dist in dense}
    lex_rank = {mid: i for i, (mid, _s) in enumerate(lexical)}
    lex_score = dict(lexical)
    sims = [dense_sim[m] for m in memories if m in dense_sim]
    lo, hi = (min(sims), max(sims)) if sims else (0.0, 1.0)
    best_lex = max((lex_score[m] for m in memories if m in lex_score), default=0.0) or 1.0
    named = named_speakers(query, memories) if weights.speaker else set()
    w_recency = weights.recency * (1.0 if about_the_present(query) else weights.past_recency)
    out = []
    for mid, mem in memories.items():
        d = ((dense_sim[mid] - lo) / (hi - lo) if hi > lo else 1.0) if mid in dense_sim else 0.0
        lx = max(0.0, lex_score.get(mid, 0.0)) / best_lex
        relevance = {"fused": 0.5 * (d + lx), "dense": d, "lexical": lx}[weights.mode]
        age_h = max(0.0, (now - mem.created_at).total_seconds() / 3600.0)
        recency = math.exp(-math.log(2) * age_h / weights.half_life_hours)
        importance = 1.0 if mem.pinned else mem.importance
        speaker = 1.0 if mem.speaker in named else 0.0
        score = (
            weights.relevance * relevance
            + weights.speaker * speaker
            + w_recency * recency
            + weights.importance * importance
        )
        out.append(
            Recalled(
                mem,
                ScoreParts(
                    relevance=relevance,
                    recency=recency,
                    importance=importance,
                    score=score,
                    dense_similarity=dense_sim.get(mid),
                    dense_rank=dense_rank.get(mid),
                    lexical_rank=lex_rank.get(mid),
                    lexical_score=lex_score.get(mid),
                    speaker=speaker,
                    recency_weight=w_recency,
                ),
            )
        )
    out.sort(key=lambda r: r.score, reverse=True)
    return out
