"""The spreadsheet-agents pattern: a table whose columns are prompts, filled cell by cell."""

from __future__ import annotations

from ui_patterns.spreadsheet.model import SheetModel
from ui_patterns.spreadsheet.page import SpreadsheetPage, demo_sheet

__all__ = ["SheetModel", "SpreadsheetPage", "demo_sheet"]
