"""A scripted run for `--screenshot --pattern memlab`: a tiny scenario to the end, table and charts shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui_patterns.memlab.page import MemoryLabPage

DEMO_STRATEGIES = ("off", "semantic", "hot_path", "background")


def run_demo(page: MemoryLabPage, wait_until: Callable[..., None]) -> None:
    """Run four strategies over the tiny scenario, then wait for every chart to be decoded."""
    controls = page.controls
    controls.set_kind("scenario")
    controls.size.setCurrentText("tiny")
    for name, box in controls.checks.items():
        box.setChecked(name in DEMO_STRATEGIES)
    page.start_run()
    wait_until(lambda: page.worker is None, 90.0)
    wait_until(lambda: all(chart.has_image() for chart in page.charts.values()), 10.0)
