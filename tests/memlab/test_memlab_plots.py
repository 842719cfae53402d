"""Chart layout: legends below the data (never over bars), no label cut off, light and dark."""

from __future__ import annotations

from typing import Any

import pytest

from agent_core.memlab.plots import (
    DARK,
    LIGHT,
    ChartStyle,
    draw_latency_accuracy,
    draw_recall,
    draw_staleness,
)
from agent_core.memlab.results import QuestionRow

STRATEGIES = ["off", "semantic", "semantic+episodic", "hot_path", "background", "no_consolidation"]
CATEGORIES = ["extraction", "knowledge_update", "multi_session", "temporal"]


def many_rows() -> list[QuestionRow]:
    return [
        QuestionRow(
            strategy=s,
            question_id=f"q{c}{i}",
            category=category,
            recall={5: 1.0, 10: 1.0, 25: 1.0},
            f1=0.9,
            latency_ms=300.0 + 40 * i + 10 * c,
            staleness_ms=500.0 + 100 * i,
        )
        for i, s in enumerate(STRATEGIES)
        for c, category in enumerate(CATEGORIES)
        for _ in range(2)
    ]


def _layout_problems(fig: Any) -> list[str]:
    """Text outside the figure (cut off in the PNG) and legends overlapping any axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    page, drawn = fig.bbox, fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    problems = []
    if drawn.x0 < -0.5 or drawn.y0 < -0.5 or drawn.x1 > page.x1 + 0.5 or drawn.y1 > page.y1 + 0.5:
        problems.append(f"drawn outside the figure: {drawn} not in {page}")
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
        box = legend.get_window_extent(renderer)
        problems += [
            f"legend over {ax.get_ylabel()!r}"
            for ax in fig.axes
            if box.overlaps(ax.get_window_extent(renderer))
        ]
    return problems


@pytest.mark.parametrize("style", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize(
    ("draw", "has_legend"), [(draw_recall, True), (draw_latency_accuracy, True), (draw_staleness, False)]
)
def test_charts_keep_legends_and_labels_in_place(draw: Any, has_legend: bool, style: ChartStyle) -> None:
    fig = draw(many_rows(), style=style)
    assert _layout_problems(fig) == []
    assert bool(fig.legends) is has_legend  # staleness labels each box on its axis instead
    assert fig.get_facecolor()[:3] == pytest.approx(_rgb(style.background), abs=0.01)


def _rgb(hex_color: str) -> tuple[float, ...]:
    return tuple(int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
