"""All metrics side by side: strategy × metric means, overall or for one question category.

One `Summary` feeds the Lab's results table (rows arrive in batches, so it keeps running sums
rather than re-reading every row per batch), the CLI's report and the `summary` of results.json.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agent_core.memlab.metrics import Aggregate
from agent_core.memlab.results import RowLike, flatten_rows

ALL = ""
"""The category key of a strategy's figures over every question."""


@dataclass(frozen=True, slots=True)
class Metric:
    key: str  # the column of a flat row
    label: str  # a short header
    tip: str  # what it measures, for tooltips and the CLI legend
    digits: int = 3
    header: str = ""  # the GUI's two-line header (default: the label)

    def format(self, value: float) -> str:
        return f"{value:.{self.digits}f}"


ANSWER_METRICS = (
    Metric("f1", "F1", "token F1 of the answer against the gold answer (LoCoMo's score)"),
    Metric(
        "contains", "contains", "share of answers holding every gold token (a right answer in a sentence)"
    ),
)
COST_METRICS = (
    Metric(
        "latency_ms", "latency ms", "mean answer latency: memory work plus the model (ms)", 0, "latency\nms"
    ),
    Metric("tokens", "tokens", "mean prompt + completion tokens per answer", 0),
    Metric(
        "staleness_ms", "staleness ms", "mean delay until a stated fact was recallable (ms)", 0, "stale\nms"
    ),
)
EXACT = Metric("exact", "exact", "share of answers equal to the gold answer after normalising")
"""Last: a sentence-long answer is almost never exact, so it says least (at 1024 px it scrolls)."""


def recall_metric(k: int) -> Metric:
    tip = f"fraction of the evidence turns found in the top {k} memories"
    return Metric(f"recall@{k}", f"recall@{k}", tip, header=f"recall\n@{k}")


def metrics_for(ks: Sequence[int]) -> list[Metric]:
    """The columns of a run: recall at each k, the answer scores, the costs, exact match."""
    return [*(recall_metric(k) for k in sorted(ks)), *ANSWER_METRICS, *COST_METRICS, EXACT]


def _number(value: Any) -> float | None:
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    return None


class Summary:
    """Running means per (strategy, category, metric); missing values (None) are not counted."""

    def __init__(self, rows: Iterable[RowLike] = ()) -> None:
        self.strategies: list[str] = []
        self.categories: list[str] = []
        self.ks: list[int] = []
        self._sums: dict[tuple[str, str, str], list[float]] = {}
        self.count = 0
        self.add(rows)

    def add(self, rows: Iterable[RowLike]) -> None:
        for row in flatten_rows(rows):
            strategy, category = str(row["strategy"]), str(row["category"])
            if strategy not in self.strategies:
                self.strategies.append(strategy)
            if category not in self.categories:
                self.categories.append(category)
                self.categories.sort()
            self.count += 1
            for key, value in row.items():
                number = _number(value)
                if number is None or key in ("strategy", "category"):
                    continue
                if key.startswith("recall@") and (k := int(key[7:])) not in self.ks:
                    self.ks = sorted([*self.ks, k])
                for group in (ALL, category):
                    cell = self._sums.setdefault((strategy, group, key), [0.0, 0])
                    cell[0] += number
                    cell[1] += 1

    @property
    def metrics(self) -> list[Metric]:
        return metrics_for(self.ks)

    def get(self, strategy: str, metric: str, category: str = ALL) -> Aggregate | None:
        cell = self._sums.get((strategy, category, metric))
        return Aggregate(cell[0] / cell[1], int(cell[1])) if cell else None

    def as_dict(self) -> dict[str, dict[str, float | None]]:
        """Strategy → metric → overall mean (None: not measured), for results.json."""
        return {
            s: {m.key: (agg.mean if (agg := self.get(s, m.key)) else None) for m in self.metrics}
            for s in self.strategies
        }

    def format(self, category: str = ALL) -> str:
        """A plain-text table, strategies as rows and every metric as a column."""
        metrics = self.metrics
        lines = [["strategy", *(m.label for m in metrics), "n"]]
        for strategy in self.strategies:
            cells = [(agg, m) for m in metrics for agg in [self.get(strategy, m.key, category)]]
            n = max((agg.count for agg, _ in cells if agg), default=0)
            lines.append([strategy, *(m.format(agg.mean) if agg else "-" for agg, m in cells), str(n)])
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        text = [
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
            for line in lines
        ]
        text.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(text)
