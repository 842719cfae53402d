"""PNG charts of a Memory Lab run: recall by category, latency vs accuracy, staleness.

matplotlib is imported inside the functions, so the GUI can import this module without pulling
matplotlib in or fixing its backend. Figures are drawn on `Figure` + the Agg canvas rather than
through pyplot: no global figure state, safe off the GUI thread, and an embedding GUI's own
pyplot backend is left alone.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_core.memlab.metrics import mean_by, percentiles
from agent_core.memlab.results import RowLike, RunRecord, flatten_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 150


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        # Switching backends under a live pyplot closes its figures; Agg canvases work regardless.
        matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="tight")


def _save(fig: Figure, out_path: str | Path) -> Path:
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def _colors(rows: list[dict[str, Any]]) -> dict[str, str]:
    """One colour per strategy, the same in every chart of a run."""
    names = sorted({str(row["strategy"]) for row in rows})
    return {name: f"C{i % 10}" for i, name in enumerate(names)}


def _no_data(ax: Axes, message: str = "no data") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_recall(rows: Iterable[RowLike], out_path: str | Path, ks: Sequence[int] | None = None) -> Path:
    """Grouped bars: evidence recall@k per category, one bar per strategy, one panel per k."""
    flat = flatten_rows(rows)
    available = sorted({int(key[7:]) for row in flat for key in row if key.startswith("recall@")})
    ks = list(ks or available[:4]) or [0]
    colors = _colors(flat)
    strategies = list(colors)
    fig = _figure(max(6.0, 4.2 * len(ks)), 4.2)
    axes = fig.subplots(1, len(ks), sharey=True, squeeze=False)[0]
    for ax, k in zip(axes, ks, strict=True):
        means = mean_by(flat, f"recall@{k}")
        categories = sorted({c for _, c in means})
        if not categories:
            _no_data(ax, "no recall measured")
            continue
        width = 0.8 / max(1, len(strategies))
        for i, strategy in enumerate(strategies):
            xs = [j + (i - (len(strategies) - 1) / 2) * width for j in range(len(categories))]
            heights = [means[(strategy, c)].mean if (strategy, c) in means else 0.0 for c in categories]
            ax.bar(xs, heights, width, label=strategy, color=colors[strategy])
        ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"Evidence recall@{k}")
        ax.set_xlabel("question category")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("recall (fraction of evidence turns)")
    if strategies and axes[0].has_data():
        axes[0].legend(title="strategy", fontsize="small")
    fig.suptitle("Retrieval recall by strategy and category")
    return _save(fig, out_path)


def plot_latency_accuracy(rows: Iterable[RowLike], out_path: str | Path, metric: str = "f1") -> Path:
    """One point per strategy: median latency vs mean answer score, whiskers to p95 latency."""
    flat = flatten_rows(rows)
    scores = mean_by(flat, metric, keys=("strategy",))
    colors = _colors(flat)
    fig = _figure(6.5, 4.5)
    ax = fig.subplots()
    plotted = False
    for (strategy,), agg in scores.items():
        lat = percentiles((r.get("latency_ms") for r in flat if r["strategy"] == strategy), (50, 95))
        if math.isnan(lat[50]):  # no latency measured for this strategy
            continue
        ax.errorbar(
            lat[50],
            agg.mean,
            xerr=[[0.0], [lat[95] - lat[50]]],
            fmt="o",
            ms=8,
            capsize=4,
            label=strategy,
            color=colors[strategy],
        )
        ax.annotate(
            strategy, (lat[50], agg.mean), textcoords="offset points", xytext=(6, 6), fontsize="small"
        )
        plotted = True
    if not plotted:
        _no_data(ax)
    else:
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(title="strategy (whisker: p95)", fontsize="small")
    ax.set_xlabel("answer latency p50 (ms)")
    ax.set_ylabel(f"mean {metric}")
    ax.set_title("Latency vs accuracy")
    return _save(fig, out_path)


def plot_staleness(rows: Iterable[RowLike], out_path: str | Path) -> Path:
    """Box per strategy of staleness (how long a stated fact took to become recallable)."""
    flat = flatten_rows(rows)
    groups: dict[str, list[float]] = {}
    for row in flat:
        value = row.get("staleness_ms")
        if isinstance(value, int | float) and value == value:
            groups.setdefault(row["strategy"], []).append(float(value))
    fig = _figure(6.5, 4.5)
    ax = fig.subplots()
    if not groups:
        _no_data(ax, "no staleness measured")
    else:
        names, colors = sorted(groups), _colors(flat)
        ax.boxplot([groups[n] for n in names], showfliers=False, medianprops={"color": "black"})
        for i, name in enumerate(names, start=1):
            values = groups[name]
            jitter = [i + 0.3 * ((j * 0.618) % 1 - 0.5) for j in range(len(values))]  # deterministic spread
            ax.scatter(jitter, values, s=12, alpha=0.6, color=colors[name], zorder=3)
        ax.set_xticks(range(1, len(names) + 1), [f"{n}\n(n={len(groups[n])})" for n in names])
        ax.grid(axis="y", alpha=0.3)
    ax.set_xlabel("strategy")
    ax.set_ylabel("staleness (ms)")
    ax.set_title("Staleness: delay until a stated fact is recallable")
    return _save(fig, out_path)


def write_all_plots(record: RunRecord | Iterable[RowLike], out_dir: str | Path) -> list[Path]:
    """The three standard charts of a run, as recall.png, latency_accuracy.png, staleness.png."""
    rows: list[Any] = record.rows if isinstance(record, RunRecord) else list(record)
    out = Path(out_dir)
    return [
        plot_recall(rows, out / "recall.png"),
        plot_latency_accuracy(rows, out / "latency_accuracy.png"),
        plot_staleness(rows, out / "staleness.png"),
    ]
