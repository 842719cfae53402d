"""What a run would cost before it starts: cells, tokens and dollars, so spend is never a surprise.

Token counts are estimates (about four characters per token; a typical answer size per output
type for values not computed yet); the live counter during a run reports the real usage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent_core.sheet.graph import fill_prompt
from agent_core.sheet.model import CellKey, CellState, Sheet
from agent_core.sheet.prompts import cell_system_prompt


@dataclass(frozen=True, slots=True)
class Rates:
    """Dollars per 1,000 tokens; the defaults are a small hosted model's list price."""

    usd_per_1k_prompt: float = 0.00015
    usd_per_1k_completion: float = 0.0006

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.usd_per_1k_prompt + completion_tokens * self.usd_per_1k_completion
        ) / 1000


# A typical answer length per output type, in tokens (an email is longer: see `_answer_tokens`).
_ANSWER_TOKENS = {"text": 40, "number": 2, "yes/no": 1, "category": 3, "json": 50}


@dataclass(frozen=True, slots=True)
class Estimate:
    cells: int
    prompt_tokens: int
    completion_tokens: int
    usd: float

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def describe(self) -> str:
        return f"≈ {self.cells:,} cells, {self.total_tokens:,} tokens, ${self.usd:.4f}"


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _answer_tokens(prompt: str, output_type: str) -> int:
    if output_type == "text" and "email" in prompt.casefold():
        return 90
    return _ANSWER_TOKENS.get(output_type, 40)


def estimate(sheet: Sheet, cells: Iterable[CellKey], rates: Rates | None = None) -> Estimate:
    """Estimate a run over `cells`; inputs not computed yet count as a typical answer of their type."""
    rates = rates or Rates()
    count = prompt_tokens = completion_tokens = 0
    systems: dict[str, int] = {}
    for row, col in cells:
        column = sheet.column(col)
        values = sheet.row_values(row)
        for dep in sheet.graph.dependencies(col):
            dep_column = sheet.column(dep)
            if dep_column.kind == "agent" and sheet.cell(row, dep).state != CellState.DONE:
                values[dep] = "x" * 4 * _answer_tokens(dep_column.prompt, dep_column.output_type)
        if col not in systems:
            systems[col] = _tokens(cell_system_prompt(column))
        prompt_tokens += systems[col] + _tokens(fill_prompt(column.prompt, values))
        completion_tokens += _answer_tokens(column.prompt, column.output_type)
        count += 1
    return Estimate(count, prompt_tokens, completion_tokens, rates.cost(prompt_tokens, completion_tokens))


def cells_for(sheet: Sheet, what: str, *, column: str | None = None, row: int | None = None,
              include_dependents: bool = False) -> list[CellKey]:  # fmt: skip
    """The cells a `run_*` request would take on: what is 'all', 'stale', 'column', 'row' or 'cell'.

    Mirrors SheetExecutor's selection, so the estimate shown before a run matches what it runs.
    """
    order = sheet.agent_order()
    rows = range(len(sheet)) if row is None else [row]
    if what in ("column", "cell") and column is not None:
        wanted = {column, *(sheet.graph.dependents(column) if include_dependents else ())}
        order = [c for c in order if c in wanted]
    keys = [(r, c) for r in rows for c in order]
    if what == "all":
        return [k for k in keys if sheet.cell(*k).state != CellState.DONE]
    if what == "stale":
        return [k for k in keys if sheet.cell(*k).state == CellState.STALE]
    return keys
