"""The contradiction workbench: built-in fact flips run against every consolidation policy.

Each suite states a fact (plus an unrelated *bystander* fact), flips it (a reversal, a move, a job
change, a correction of the agent, or "I never said that"), then asks about it. For every policy
(add_only, update_in_place, delete_old, supersede) it reports whether the answer right after the
flip was right or stale, whether the old value survives as history, whether a stale value is still
current, and how many true facts were wrongly invalidated. Runs offline on the simulator in seconds.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from memory.consolidation import POLICIES

if TYPE_CHECKING:
    from agent_core.lab import Lab


@dataclass(frozen=True)
class FlipSuite:
    name: str
    title: str
    before: tuple[str, ...]  # statements that set up the fact and a bystander
    flip: str
    question: str
    stale: str  # text of the old value: must not be the answer after the flip
    expect: str  # text the right answer contains
    bystander_question: str
    bystander: str
    old_fact: str  # the memory the flip makes untrue, as extracted


SUITES: tuple[FlipSuite, ...] = (
    FlipSuite(
        "preference",
        "preference reversal",
        ("I love sushi.", "My name is Ada."),
        "Actually I hate sushi.",
        "What do I like?",
        "sushi",
        "don't know",
        "What is my name?",
        "Ada",
        "Likes sushi",
    ),
    FlipSuite(
        "move",
        "moved city",
        ("I live in Paris.", "My name is Ada."),
        "I moved to Berlin.",
        "Where do I live?",
        "Paris",
        "Berlin",
        "What is my name?",
        "Ada",
        "Lives in Paris",
    ),
    FlipSuite(
        "job",
        "job change",
        ("I work as a teacher.", "I live in Oslo."),
        "I work as a nurse now.",
        "What is my job?",
        "teacher",
        "nurse",
        "Where do I live?",
        "Oslo",
        "Works as a teacher",
    ),
    FlipSuite(
        "correction",
        "correcting the agent",
        ("My name is Sam.", "I live in Oslo."),
        "No, you got that wrong: my name is Alex.",
        "What is my name?",
        "Sam",
        "Alex",
        "Where do I live?",
        "Oslo",
        "Name is Sam",
    ),
    FlipSuite(
        "never_said",
        '"I never said that"',
        ("I work at Acme.", "My name is Ada."),
        "I never said I work at Acme.",
        "Where do I work?",
        "Acme",
        "don't know",
        "What is my name?",
        "Ada",
        "Works at Acme",
    ),
)


@dataclass
class FlipOutcome:
    policy: str
    suite: str
    answer: str
    right: bool  # the answer after the flip says the new truth
    stale_answer: bool  # the answer after the flip repeats the old value
    stale_current: bool  # the old value is still a current (recallable) memory
    history_kept: bool  # the old value survives as history (with its validity ended)
    wrongly_invalidated: int  # true bystander facts that lost their validity
    bystander_ok: bool


@dataclass
class WorkbenchReport:
    outcomes: list[FlipOutcome] = field(default_factory=list)

    def by_policy(self) -> dict[str, dict[str, float]]:
        """Per policy: share right, stale answers, history kept, stale still current, wrong invalidations."""
        out: dict[str, dict[str, float]] = {}
        for pol in dict.fromkeys(o.policy for o in self.outcomes):
            rows = [o for o in self.outcomes if o.policy == pol]
            out[pol] = {
                "right": sum(o.right for o in rows),
                "stale_answers": sum(o.stale_answer for o in rows),
                "stale_current": sum(o.stale_current for o in rows),
                "history_kept": sum(o.history_kept for o in rows),
                "wrongly_invalidated": sum(o.wrongly_invalidated for o in rows),
                "suites": len(rows),
            }
        return out

    def get(self, policy: str, suite: str) -> FlipOutcome:
        return next(o for o in self.outcomes if o.policy == policy and o.suite == suite)

    def as_dict(self) -> dict:
        return {"outcomes": [asdict(o) for o in self.outcomes], "by_policy": self.by_policy()}

    def table(self) -> str:
        head = f"{'policy':<16}{'right':>7}{'stale ans':>11}{'stale cur':>11}{'history':>9}{'wrong inv':>11}"
        lines = [head, "-" * len(head)]
        for pol, r in self.by_policy().items():
            n = int(r["suites"])
            lines.append(
                f"{pol:<16}{int(r['right']):>5}/{n}{int(r['stale_answers']):>9}/{n}"
                f"{int(r['stale_current']):>9}/{n}{int(r['history_kept']):>7}/{n}{int(r['wrongly_invalidated']):>11}"
            )
        return "\n".join(lines)


class ListIndex:
    """A tiny in-process vector index (cosine, brute force): the workbench needs no Chroma."""

    def __init__(self) -> None:
        self._v: dict[tuple[str, str], dict[str, list[float]]] = {}

    def upsert(
        self, namespace: str, kind: str, ids: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None:
        col = self._v.setdefault((namespace, kind), {})
        for i, v in zip(ids, vectors, strict=True):
            col[i] = list(v)

    def query(self, namespace: str, kind: str, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """(id, cosine distance) nearest first, as Chroma reports them."""
        col = self._v.get((namespace, kind), {})
        return sorted(self.distances(namespace, kind, vector, list(col)), key=lambda t: t[1])[:k]

    def distances(
        self, namespace: str, kind: str, vector: Sequence[float], ids: Sequence[str]
    ) -> list[tuple[str, float]]:
        col = self._v.get((namespace, kind), {})
        qn = math.sqrt(sum(x * x for x in vector)) or 1.0
        out = []
        for mid in ids:
            if mid in col:
                v = col[mid]
                vn = math.sqrt(sum(x * x for x in v)) or 1.0
                out.append((mid, 1.0 - sum(a * b for a, b in zip(vector, v, strict=False)) / (qn * vn)))
        return out

    def delete(self, namespace: str, kind: str, ids: Sequence[str]) -> None:
        for i in ids:
            self._v.get((namespace, kind), {}).pop(i, None)

    def ids(self, namespace: str, kind: str) -> set[str]:
        return set(self._v.get((namespace, kind), {}))

    def drop_namespace(self, namespace: str) -> None:
        for key in [k for k in self._v if k[0] == namespace]:
            del self._v[key]


def run_workbench(
    policies: Sequence[str] = POLICIES,
    suites: Sequence[FlipSuite] = SUITES,
    *,
    data_dir: Path | None = None,
    memory_mode: str = "hot_path",
) -> WorkbenchReport:
    """Run every suite under every policy (one namespace each) in a throwaway lab."""
    from agent_core.lab import Lab
    from agent_core.runtime.settings import Settings
    from agent_core.simulator import SimConfig

    report = WorkbenchReport()
    with tempfile.TemporaryDirectory(prefix="contradictions-") as tmp:
        settings = Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.0, streaming=False)
        lab = Lab(data_dir or Path(tmp), settings, index=ListIndex())
        try:
            for policy in policies:
                lab.writer.policy = policy
                for suite in suites:
                    report.outcomes.append(_run_one(lab, policy, suite, memory_mode))
        finally:
            lab.close()
    return report


def _run_one(lab: Lab, policy: str, suite: FlipSuite, memory_mode: str) -> FlipOutcome:
    from agent_core.chat.agent import ChatAgent

    ns = f"{policy}.{suite.name}"
    agent = ChatAgent(lab, ns, memory_mode=memory_mode)
    conv = lab.conversations.create(ns).id
    for text in suite.before:
        agent.turn(conv, text)
    bystanders = {
        m.id for m in lab.store.list(ns, "semantic") if suite.bystander.lower() in m.content.lower()
    }
    agent.turn(conv, suite.flip)
    lab.background.flush()
    answer = agent.turn(conv, suite.question).reply
    by_answer = agent.turn(conv, suite.bystander_question).reply
    everything = lab.store.list(ns, "semantic", include_history=True)
    old = [m for m in everything if m.content.strip().lower() == suite.old_fact.lower()]
    current_ids = {m.id for m in everything if m.valid_to is None}
    low = answer.lower()
    return FlipOutcome(
        policy=policy,
        suite=suite.name,
        answer=answer,
        right=suite.expect.lower() in low and suite.stale.lower() not in low,
        stale_answer=suite.stale.lower() in low,
        stale_current=any(m.valid_to is None for m in old),
        history_kept=any(m.valid_to is not None for m in old),
        wrongly_invalidated=len(bystanders - current_ids),
        bystander_ok=suite.bystander.lower() in by_answer.lower(),
    )


def plot(report: WorkbenchReport, path: Path) -> Path:
    """Grouped bars per policy: right answers, stale answers, history kept, wrong invalidations."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    data = report.by_policy()
    metrics = [
        ("right", "right after flip"),
        ("stale_answers", "stale answer"),
        ("stale_current", "stale still current"),
        ("history_kept", "history kept"),
        ("wrongly_invalidated", "wrongly invalidated"),
    ]
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    pols = list(data)
    width = 0.8 / len(metrics)
    for j, (key, label) in enumerate(metrics):
        ax.bar([i + j * width for i in range(len(pols))], [data[p][key] for p in pols], width, label=label)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(pols))], pols)
    ax.set_ylabel(f"suites (of {len(SUITES)})")
    ax.set_ylim(0, max([len(SUITES), *(max(r.values()) for r in data.values())]) * 1.45)
    ax.set_title("Fact flips by consolidation policy")
    ax.legend(fontsize=8, ncols=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def cmd_contradictions(out: Path | None) -> int:
    """`agent-ux-lab bench --suite contradictions [--out DIR]`: table on stdout, JSON + PNG in DIR."""
    import json
    import sys
    from datetime import datetime

    report = run_workbench()
    out = out or Path("memlab-runs") / f"contradictions-{datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "contradictions.json").write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    plot(report, out / "contradictions.png")
    print(report.table())
    print(f"\nresults: {out / 'contradictions.json'}; chart: {out / 'contradictions.png'}", file=sys.stderr)
    return 0
