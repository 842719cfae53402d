"""PNG charts of a Memory Lab run: recall by category, latency vs accuracy, staleness.

matplotlib is imported inside the functions, so the GUI can import this module without pulling
matplotlib in or fixing its backend. Figures are drawn on `Figure` + the Agg canvas rather than
through pyplot: no global figure state, safe off the GUI thread, and an embedding GUI's own
pyplot backend is left alone.

Layout: every chart is ~7 inches wide (readable when the Lab shows it ~550 px wide), uses
constrained layout so no axis label is cut off, and puts its legend below the axes, never over
the data. A `ChartStyle` gives the light or dark colours of the page that shows it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_core.memlab.metrics import mean_by, percentiles
from agent_core.memlab.results import RowLike, RunRecord, flatten_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

DPI = 150
WIDTH_IN = 7.0
LEGEND_COLUMNS = 4


@dataclass(frozen=True, slots=True)
class ChartStyle:
    """The colours a chart is drawn in; `DARK` matches the app's dark theme."""

    background: str = "#ffffff"
    foreground: str = "#1d2330"
    muted: str = "#5f6b7c"
    grid: str = "#d9dde5"

    def rc(self) -> dict[RcKeyType, Any]:
        """The rcParams of this style (keys checked against matplotlib's list of rcParams)."""
        return {
            "figure.facecolor": self.background,
            "savefig.facecolor": self.background,
            "axes.facecolor": self.background,
            "axes.edgecolor": self.muted,
            "axes.labelcolor": self.foreground,
            "axes.titlecolor": self.foreground,
            "text.color": self.foreground,
            "xtick.color": self.foreground,
            "ytick.color": self.foreground,
            "grid.color": self.grid,
            "legend.facecolor": self.background,
            "legend.edgecolor": self.grid,
            "legend.labelcolor": self.foreground,
            "boxplot.boxprops.color": self.foreground,
            "boxplot.whiskerprops.color": self.foreground,
            "boxplot.capprops.color": self.foreground,
            "boxplot.medianprops.color": self.foreground,
        }


LIGHT = ChartStyle()
DARK = ChartStyle(background="#1e2128", foreground="#e6e8ee", muted="#9aa3b2", grid="#2e333d")
"""The surface, text, muted and border colours of the app's themes (desktop/theme.py)."""
STYLES = {"light": LIGHT, "dark": DARK}


@contextmanager
def _styled(style: ChartStyle) -> Iterator[None]:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        # Switching backends under a live pyplot closes its figures; Agg canvases work regardless.
        matplotlib.use("Agg")
    with matplotlib.rc_context(style.rc()):
        yield


def _figure(height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height), layout="constrained")


def _save(fig: Figure, out_path: str | Path) -> Path:
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def _colors(rows: list[dict[str, Any]]) -> dict[str, str]:
    """One colour per strategy, the same in every chart of a run."""
    names = sorted({str(row["strategy"]) for row in rows})
    return {name: f"C{i % 10}" for i, name in enumerate(names)}


def _legend_below(fig: Figure, axes: Sequence[Axes], title: str) -> None:
    """One legend under the plots: outside every axes, so it never hides a bar or a point."""
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(LEGEND_COLUMNS, len(handles)),
            title=title,
            fontsize="small",
            title_fontsize="small",
        )


def _no_data(ax: Axes, style: ChartStyle, message: str = "no data") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=style.muted)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_recall(
    rows: Iterable[RowLike], ks: Sequence[int] | None = None, style: ChartStyle = LIGHT
) -> Figure:
    """Grouped bars: evidence recall@k per category, one bar per strategy, one row of bars per k."""
    flat = flatten_rows(rows)
    available = sorted({int(key[7:]) for row in flat for key in row if key.startswith("recall@")})
    ks = list(ks or available[:4]) or [0]
    colors = _colors(flat)
    strategies = list(colors)
    with _styled(style):
        fig = _figure(1.3 + 2.1 * len(ks))
        axes: list[Axes] = list(fig.subplots(len(ks), 1, sharex=True, squeeze=False)[:, 0])
        for ax, k in zip(axes, ks, strict=True):
            means = mean_by(flat, f"recall@{k}")
            categories = sorted({c for _, c in means})
            if not categories:
                _no_data(ax, style, "no recall measured")
                continue
            width = 0.8 / max(1, len(strategies))
            for i, strategy in enumerate(strategies):
                xs = [j + (i - (len(strategies) - 1) / 2) * width for j in range(len(categories))]
                heights = [means[(strategy, c)].mean if (strategy, c) in means else 0.0 for c in categories]
                ax.bar(xs, heights, width, label=strategy, color=colors[strategy])
            ax.set_xticks(range(len(categories)), categories, rotation=20, ha="right")
            ax.set_ylim(0, 1.05)
            ax.set_ylabel(f"recall@{k}")
            ax.grid(axis="y", alpha=0.5)
        axes[-1].set_xlabel("question category")
        _legend_below(fig, axes, "strategy")
        fig.suptitle("Evidence recall (fraction of evidence turns found) by category")
    return fig


def draw_latency_accuracy(rows: Iterable[RowLike], metric: str = "f1", style: ChartStyle = LIGHT) -> Figure:
    """One point per strategy: median latency vs mean answer score, whiskers to p95 latency."""
    flat = flatten_rows(rows)
    scores = mean_by(flat, metric, keys=("strategy",))
    colors = _colors(flat)
    with _styled(style):
        fig = _figure(4.8)
        ax = fig.subplots()
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
        if ax.has_data():
            ax.set_ylim(0, 1.05)
            ax.grid(alpha=0.5)
            _legend_below(fig, [ax], "strategy")
        else:
            _no_data(ax, style)
        ax.set_xlabel("answer latency p50 (ms); whisker to p95")
        ax.set_ylabel(f"mean {metric}")
        ax.set_title("Latency vs accuracy")
    return fig


def draw_staleness(rows: Iterable[RowLike], style: ChartStyle = LIGHT) -> Figure:
    """Box per strategy of staleness (how long a stated fact took to become recallable)."""
    flat = flatten_rows(rows)
    groups: dict[str, list[float]] = {}
    for row in flat:
        value = row.get("staleness_ms")
        if isinstance(value, int | float) and value == value:
            groups.setdefault(row["strategy"], []).append(float(value))
    with _styled(style):
        fig = _figure(4.6)
        ax = fig.subplots()
        if not groups:
            _no_data(ax, style, "no staleness measured")
        else:
            names, colors = sorted(groups), _colors(flat)
            ax.boxplot([groups[n] for n in names], showfliers=False)
            for i, name in enumerate(names, start=1):
                values = groups[name]
                jitter = [i + 0.3 * ((j * 0.618) % 1 - 0.5) for j in range(len(values))]  # deterministic
                ax.scatter(jitter, values, s=12, alpha=0.7, color=colors[name], zorder=3)
            many = len(names) > 4
            ax.set_xticks(
                range(1, len(names) + 1),
                [f"{n}\n(n={len(groups[n])})" for n in names],
                rotation=20 if many else 0,
                ha="right" if many else "center",
            )
            ax.grid(axis="y", alpha=0.5)
        ax.set_xlabel("strategy")
        ax.set_ylabel("staleness (ms)")
        ax.set_title("Staleness: delay until a stated fact is recallable")
    return fig


def plot_recall(
    rows: Iterable[RowLike], out_path: str | Path, ks: Sequence[int] | None = None, style: ChartStyle = LIGHT
) -> Path:
    return _save(draw_recall(rows, ks, style), out_path)


def plot_latency_accuracy(
    rows: Iterable[RowLike], out_path: str | Path, metric: str = "f1", style: ChartStyle = LIGHT
) -> Path:
    return _save(draw_latency_accuracy(rows, metric, style), out_path)


def plot_staleness(rows: Iterable[RowLike], out_path: str | Path, style: ChartStyle = LIGHT) -> Path:
    return _save(draw_staleness(rows, style), out_path)


CHARTS: dict[str, Callable[[list[Any], ChartStyle], Figure]] = {
    "recall.png": lambda rows, style: draw_recall(rows, style=style),
    "latency_accuracy.png": lambda rows, style: draw_latency_accuracy(rows, style=style),
    "staleness.png": draw_staleness,
}
"""The standard charts of a run, by file name, in the order they are written."""


def iter_plots(rows: list[Any], out_dir: str | Path, style: ChartStyle = LIGHT) -> Iterator[Path]:
    """Write each standard chart, yielding its path as it lands (so a GUI can show it at once)."""
    for name, draw in CHARTS.items():
        yield _save(draw(rows, style), Path(out_dir) / name)


def write_all_plots(
    record: RunRecord | Iterable[RowLike], out_dir: str | Path, style: ChartStyle = LIGHT
) -> list[Path]:
    """The three standard charts of a run, as recall.png, latency_accuracy.png, staleness.png."""
    rows: list[Any] = record.rows if isinstance(record, RunRecord) else list(record)
    return list(iter_plots(rows, out_dir, style))
