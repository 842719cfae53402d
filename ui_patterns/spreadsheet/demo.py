"""A scripted run for `--screenshot --pattern spreadsheet`: fill the demo sheet, open a cell's provenance."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui_patterns.spreadsheet.page import SpreadsheetPage


def run_demo(page: SpreadsheetPage, wait_until_idle: Callable[..., None]) -> None:
    """Run every agent column, then show the provenance of the first row's last agent cell."""
    page.run_all()
    wait_until_idle(lambda: not page.busy)
    sheet = page.sheet
    if sheet is None or not sheet.agent_order():
        return
    index = page.model.index(0, page.model.section_of(sheet.agent_order()[-1]))
    page.table.setCurrentIndex(index)
    page.show_provenance(index)
    wait_until_idle(
        lambda: page.drawer.isVisible() and page.table.viewport().width() < page.width() * 0.8, 2.0
    )
    page.table.scrollTo(index)  # after the drawer took its share of the width
