"""The real `CellRunner`: each cell is one Chat Completions call through the `openai` client.

With the simulator provider the same request travels the same HTTP path and is answered by the
`sheet_cell` simulator task, so offline tables are deterministic and online ones use a real model.
Cells of one batch (a period of continuous running) are recorded as `llm_call` steps of one run of
kind "sheet": that is what a cell's provenance points to (run id, step id, prompt, latency, tokens).
Over a Lab, each cell first recalls the profile's facts that bear on its prompt; those go into the
system prompt and into the cell's provenance as "memory used".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from agent_core.runtime.engine import Service
from agent_core.runtime.llm import LLM, LLMError
from agent_core.runtime.runs import Step, StepRecorder
from agent_core.sheet.errors import CellRunError
from agent_core.sheet.model import Column
from agent_core.sheet.prompts import cell_messages, plan_messages
from agent_core.sheet.runs import CellResult
from agent_core.sheet.spec import parse_plan

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from agent_core.lab import Lab
    from agent_core.runtime.engine import Emit
    from agent_core.runtime.engine import Engine as AgentEngine


MEMORY_K = 3  # facts recalled per cell, at most


def _llm_of(source: Lab | LLM) -> LLM:
    return source if isinstance(source, LLM) else source.llm


class LLMCellRunner:
    """A thread-safe `CellRunner` over `LLM.complete`, recording each cell as a step when it can.

    `source` is a Lab (its current client, database and step listeners are used, so a settings
    change applies to the next cell) or a bare LLM (no recording unless `engine` is given).
    """

    def __init__(
        self,
        source: Lab | LLM,
        *,
        engine: Engine | None = None,
        listeners: list[Callable[[str, Step], None]] | None = None,
        profile: str | None = None,
        seed: int | None = None,
        record: bool = True,
        use_memory: bool = True,
    ) -> None:
        self._source = source
        self._use_memory = use_memory
        lab = None if isinstance(source, LLM) else source
        self._engine = engine if engine is not None or lab is None else lab.engine
        self._listeners = listeners if listeners is not None or lab is None else lab.step_listeners
        self._profile = profile or (lab.settings.profile if lab is not None else "default")
        self._seed = seed
        self._record = record and self._engine is not None
        self._lock = threading.Lock()
        self._recorder: StepRecorder | None = None
        self._title = "sheet run"
        self._cells = 0
        self._errors = 0

    def set_profile(self, profile: str) -> None:
        """Recall this profile's facts from the next cell on (a batch already open keeps its run)."""
        with self._lock:
            self._profile = profile

    # -- batches: one recorded run per period of continuous running ------------------------------

    def start_batch(self, title: str) -> None:
        """Name the run the next cells are recorded in; cells of an open batch keep joining it."""
        with self._lock:
            if self._recorder is None:
                self._title = title

    def end_batch(self) -> str | None:
        """Finish the open run (status error if any cell failed); returns its id, if one was open."""
        with self._lock:
            recorder, self._recorder = self._recorder, None
            cells, errors, self._cells, self._errors = self._cells, self._errors, 0, 0
        if recorder is None:
            return None
        if errors:
            recorder.finish("error", f"{errors} of {cells} cells failed")
        else:
            recorder.finish()
        return recorder.run.id

    @property
    def run_id(self) -> str | None:
        with self._lock:
            return self._recorder.run.id if self._recorder else None

    def _current_recorder(self) -> StepRecorder | None:
        if not self._record or self._engine is None:
            return None
        with self._lock:
            if self._recorder is None:
                self._recorder = StepRecorder.start(
                    self._engine,
                    self._listeners,
                    kind="sheet",
                    agent="sheet",
                    title=self._title,
                    profile=self._profile,
                )
            self._cells += 1
            return self._recorder

    def _count_error(self) -> None:
        with self._lock:
            self._errors += 1

    # -- one cell -----------------------------------------------------------------------------------

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult:
        llm = _llm_of(self._source)
        memory_used = self._recall(prompt)
        messages = cell_messages(prompt, column, [m["content"] for m in memory_used])
        seed = self._seed
        if seed is None and llm.sim_core is not None:
            seed = llm.sim_core.config.seed
        kwargs: dict[str, Any] = {} if seed is None else {"seed": seed}
        recorder = self._current_recorder()
        run_id = recorder.run.id if recorder else None
        step_id: str | None = None
        details: dict[str, Any] = {"model": llm.model, "system_prompt": messages[0]["content"]}
        try:
            if recorder is None:
                result = llm.complete(messages, **kwargs)
            else:
                step_input = {"model": llm.model, "column": column.name, "messages": messages}
                with recorder.step("llm_call", f"cell · {column.name}", step_input) as handle:
                    step_id = handle.id
                    result = llm.complete(messages, **kwargs)
                    handle.output = {"content": result.content}
                    handle.prompt_tokens = result.prompt_tokens
                    handle.completion_tokens = result.completion_tokens
        except LLMError as exc:
            self._count_error()
            where = {"run_id": run_id, "step_id": step_id, "error_kind": exc.kind, "retryable": exc.retryable}
            raise CellRunError(f"Model call failed: {exc}", provenance={**details, **where}) from exc
        return CellResult(
            raw_text=result.content,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            latency_ms=result.latency_ms,
            run_id=run_id,
            memory_used=memory_used,
            details={**details, "step_id": step_id, "model": result.model or llm.model},
        )

    def _recall(self, prompt: str) -> list[dict[str, Any]]:
        """The profile's facts that bear on this cell: words in common or a close embedding."""
        lab = None if isinstance(self._source, LLM) else self._source
        if lab is None or not self._use_memory:
            return []
        hits = lab.store.recall(self._profile, prompt, k=MEMORY_K)
        return [
            {"id": h.memory.id, "content": h.memory.content, "score": round(h.score, 3)}
            for h in hits
            if h.matches()
        ]


def cell_service(lab: Lab, _emit: Emit, record: bool = True, profile: str | None = None) -> LLMCellRunner:
    """The agent-engine service behind `EngineCellRunner`: an `LLMCellRunner` where the engine is."""
    return LLMCellRunner(lab, record=record, profile=profile)


class EngineCellRunner:
    """A `CellRunner` whose cells run in the agent engine (a child process in the desktop app).

    The calling executor thread only waits on a future, so 16 cells in flight cost the GUI's
    process no Python time; cells are recorded by the engine's `LLMCellRunner` as usual.
    """

    def __init__(self, engine: AgentEngine, *, record: bool = True, profile: str | None = None) -> None:
        self._cells = Service.open(engine, f"sheet-{id(self):x}", cell_service, record, profile)

    def set_profile(self, profile: str) -> Future:
        """Switch the profile whose facts cells recall (not waited for: the GUI thread calls it)."""
        return self._cells.call(LLMCellRunner.set_profile, profile, lane="")

    def start_batch(self, title: str) -> None:
        self._cells.call(LLMCellRunner.start_batch, title, lane="").result()

    def end_batch(self) -> str | None:
        return self._cells.call(LLMCellRunner.end_batch, lane="").result()

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult:
        return self._cells.call(LLMCellRunner.__call__, prompt, column, row_values).result()


def plan_columns_with_llm(source: Lab | LLM, request: str, input_columns: Sequence[str]) -> list[Column]:
    """Agent columns for a request, planned by the model (the simulator uses the rule planner).

    Raises SheetSpecError when the answer is not a usable plan (not JSON, unknown references, a
    cycle...) and LLMError when the call itself fails; both messages are meant to be shown as is.
    """
    result = _llm_of(source).complete(plan_messages(request, input_columns))
    return parse_plan(result.content, input_columns=input_columns)
