"""What memory cost each stored turn, read back from its run's steps (Qt-free).

A message stores only the sum (`memory_latency_ms`); the footer shows recall and the hot-path write
apart, so a reopened conversation reads the two from the trace: one indexed query per transcript.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent_core.runtime.runs import Step

Costs = tuple[float | None, float]  # recall ms (None: no recall ran), hot-path write ms


def memory_costs(engine: Engine, run_ids: list[str]) -> dict[str, Costs]:
    ids = [r for r in dict.fromkeys(run_ids) if r]
    if not ids:
        return {}
    q = select(Step.run_id, Step.kind, Step.name, Step.latency_ms).where(
        col(Step.run_id).in_(ids), col(Step.kind).in_(("memory_read", "memory_write"))
    )
    with Session(engine) as s:
        rows = list(s.exec(q))
    recall: dict[str, float] = {}
    write: dict[str, float] = {}
    for run_id, kind, name, latency in rows:
        if kind == "memory_read":
            recall[run_id] = recall.get(run_id, 0.0) + latency
        elif name == "save_memory":  # the hot-path tool; "background memory" is not the turn's cost
            write[run_id] = write.get(run_id, 0.0) + latency
    return {r: (recall.get(r), write.get(r, 0.0)) for r in ids if r in recall or r in write}
