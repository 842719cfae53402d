"""What a cell runner returns and what runs cost: the seams between the executor and providers.

Runners are plain callables so the simulator, an OpenAI-compatible client and tests plug in alike;
counters are thread-safe so a GUI can show a live token and cost total while cells run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from agent_core.sheet.model import Column


@dataclass(frozen=True, slots=True)
class CellResult:
    """What a runner returns for one cell; tokens and latency feed the counters and provenance."""

    raw_text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    run_id: str | None = None
    memory_used: list[Any] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # e.g. step_id, model: merged into provenance


class CellRunner(Protocol):
    """Answers one filled prompt; called from worker threads, so it must be thread-safe."""

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult: ...


@runtime_checkable
class BatchedCellRunner(CellRunner, Protocol):
    """A runner that records the cells of one batch (a period of continuous running) as one run."""

    def start_batch(self, title: str) -> None: ...

    def end_batch(self) -> str | None: ...


@dataclass(slots=True)
class Usage:
    cells: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class UsageReport:
    total: Usage
    per_column: dict[str, Usage]


class UsageMeter:
    """Thread-safe token and cost counters, so a live counter can be shown during a run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_column: dict[str, Usage] = {}

    def add(self, column: str, result: CellResult | None, cost_usd: float, *, error: bool) -> None:
        with self._lock:
            usage = self._per_column.setdefault(column, Usage())
            usage.cells += 1
            usage.errors += int(error)
            if result is not None:
                usage.prompt_tokens += result.prompt_tokens
                usage.completion_tokens += result.completion_tokens
            usage.cost_usd += cost_usd

    def report(self) -> UsageReport:
        with self._lock:
            per_column = {name: replace(usage) for name, usage in self._per_column.items()}
        total = Usage()
        for usage in per_column.values():
            total.cells += usage.cells
            total.errors += usage.errors
            total.prompt_tokens += usage.prompt_tokens
            total.completion_tokens += usage.completion_tokens
            total.cost_usd += usage.cost_usd
        return UsageReport(total, per_column)
