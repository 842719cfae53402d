"""Quality guard: a "junk review" of low-value memories, and one-click pruning.

Extraction stores too much (one audit of a popular memory library found almost every stored entry
useless). Thresholds on importance and confidence stop junk at write time (`Quality` in
consolidation); this review finds what slipped through or predates the thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from memory.models import SEMANTIC, Memory
from memory.store import MemoryStore

MIN_CHARS = 8
_WORD = re.compile(r"\w{3,}")


@dataclass
class JunkItem:
    memory: Memory
    reasons: list[str] = field(default_factory=list)


def junk_review(
    store: MemoryStore, namespace: str, *, min_importance: float = 0.3, min_confidence: float = 0.5
) -> list[JunkItem]:
    """Current semantic memories worth a second look, lowest value first; pinned ones are never junk."""
    items: list[JunkItem] = []
    seen: dict[str, str] = {}
    for m in sorted(store.list(namespace, SEMANTIC), key=lambda m: m.created_at):
        if m.pinned:
            continue
        reasons = []
        if m.importance < min_importance:
            reasons.append(f"importance {m.importance:.2f} < {min_importance:.2f}")
        if m.confidence < min_confidence:
            reasons.append(f"confidence {m.confidence:.2f} < {min_confidence:.2f}")
        text = m.content.strip()
        if len(text) < MIN_CHARS or not _WORD.search(text):
            reasons.append(f"too short to mean anything ({len(text)} chars)")
        key = " ".join(text.lower().split())
        if key in seen:
            reasons.append(f"duplicate of {seen[key][:8]}")
        else:
            seen[key] = m.id
        if reasons:
            items.append(JunkItem(m, reasons))
    items.sort(key=lambda j: (j.memory.importance * j.memory.confidence, -len(j.reasons)))
    return items


def prune(store: MemoryStore, memory_ids: list[str], *, actor: str = "user:junk-review") -> int:
    """Delete the chosen memories (text wiped from history too); returns how many went."""
    return sum(1 for mid in memory_ids if store.delete(mid, actor=actor))
