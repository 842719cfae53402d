"""Quality guard: low-value memories are listed with reasons and pruned in one go."""

from __future__ import annotations

from agent_core.lab import Lab
from memory.models import Memory
from memory.quality import junk_review, prune


def test_junk_review_lists_low_value_memories_and_prunes_them(lab: Lab) -> None:
    keep = lab.store.add(Memory(namespace="ada", content="Lives in Paris", importance=0.9, confidence=0.9))
    low = lab.store.add(Memory(namespace="ada", content="Mentioned the weather", importance=0.1))
    unsure = lab.store.add(Memory(namespace="ada", content="Maybe likes jazz music", confidence=0.2))
    short = lab.store.add(Memory(namespace="ada", content="ok", importance=0.9))
    dup = lab.store.add(Memory(namespace="ada", content="lives in  paris", importance=0.9))
    pinned = lab.store.add(Memory(namespace="ada", content="Meh", importance=0.0, pinned=True))
    items = {j.memory.id: j.reasons for j in junk_review(lab.store, "ada")}
    assert set(items) == {low.id, unsure.id, short.id, dup.id}
    assert keep.id not in items and pinned.id not in items
    assert items[low.id] == ["importance 0.10 < 0.30"] and "duplicate" in items[dup.id][0]
    assert prune(lab.store, list(items)) == 4
    assert sorted(m.content for m in lab.store.list("ada")) == ["Lives in Paris", "Meh"]
    assert lab.store.recall("ada", "weather", k=5) == [] or all(
        r.memory.id not in items for r in lab.store.recall("ada", "weather", k=5)
    )
