"""Qt-free spreadsheet-agent engine: columns defined by prompts, run per cell in dependency order."""

from __future__ import annotations

from agent_core.sheet.csvio import export_csv, import_csv
from agent_core.sheet.errors import CellOutputError, SheetSpecError
from agent_core.sheet.executor import SheetExecutor
from agent_core.sheet.graph import DependencyGraph, fill_prompt, references
from agent_core.sheet.handle import RunHandle
from agent_core.sheet.model import OUTPUT_TYPES, Cell, CellState, Column, Sheet, format_value
from agent_core.sheet.planner import plan_columns
from agent_core.sheet.runs import BatchedCellRunner, CellResult, CellRunner, Usage, UsageReport
from agent_core.sheet.simfill import SimCellRunner, fill_cell
from agent_core.sheet.spec import load_spec, parse_output, parse_spec

__all__ = [
    "OUTPUT_TYPES",
    "BatchedCellRunner",
    "Cell",
    "CellOutputError",
    "CellResult",
    "CellRunner",
    "CellState",
    "Column",
    "DependencyGraph",
    "RunHandle",
    "Sheet",
    "SheetExecutor",
    "SheetSpecError",
    "SimCellRunner",
    "Usage",
    "UsageReport",
    "export_csv",
    "fill_cell",
    "fill_prompt",
    "format_value",
    "import_csv",
    "load_spec",
    "parse_output",
    "parse_spec",
    "plan_columns",
    "references",
]
