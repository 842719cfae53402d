"""Recall scoring: weighted relevance (dense + lexical fused by reciprocal rank), recency, importance.

Every candidate keeps its score parts, so a UI can say *why* a memory came back.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime

from memory.models import Memory

RRF_K = 60


@dataclass(frozen=True)
class RecallWeights:
    relevance: float = 1.0
    recency: float = 0.25
    importance: float = 0.25
    half_life_hours: float = 24.0 * 7


@dataclass
class ScoreParts:
    relevance: float
    recency: float
    importance: float
    score: float
    dense_similarity: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None

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


def score_candidates(
    memories: dict[str, Memory],
    dense: list[tuple[str, float]],
    lexical: list[str],
    weights: RecallWeights,
    now: datetime,
) -> list[Recalled]:
    """Fuse the two rankings (RRF), normalise to [0, 1] and add recency and importance."""
    dense_rank = {mid: i for i, (mid, _d) in enumerate(dense)}
    dense_sim = {mid: 1.0 - dist for mid, dist in dense}
    lex_rank = {mid: i for i, mid in enumerate(lexical)}
    rrf: dict[str, float] = {}
    for mid in memories:
        r = 0.0
        if mid in dense_rank:
            r += 1.0 / (RRF_K + dense_rank[mid] + 1)
        if mid in lex_rank:
            r += 1.0 / (RRF_K + lex_rank[mid] + 1)
        rrf[mid] = r
    top = max(rrf.values(), default=0.0) or 1.0
    out = []
    for mid, mem in memories.items():
        age_h = max(0.0, (now - mem.created_at).total_seconds() / 3600.0)
        recency = math.exp(-math.log(2) * age_h / weights.half_life_hours)
        importance = 1.0 if mem.pinned else mem.importance
        relevance = rrf[mid] / top
        score = weights.relevance * relevance + weights.recency * recency + weights.importance * importance
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
                ),
            )
        )
    out.sort(key=lambda r: r.score, reverse=True)
    return out
