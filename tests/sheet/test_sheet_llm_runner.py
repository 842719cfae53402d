"""LLMCellRunner and the LLM planner through the real openai client against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from agent_core.runtime.llm import LLM
from agent_core.runtime.runs import Run, load_run
from agent_core.runtime.settings import ProviderSettings
from agent_core.sheet import CellState, Column, SheetExecutor, SheetSpecError, fill_cell, import_csv
from agent_core.sheet.llm_runner import LLMCellRunner, plan_columns_with_llm
from agent_core.sheet.spec import parse_plan
from agent_core.simulator import SimConfig

CUSTOMERS = Path(__file__).resolve().parents[2] / "assets" / "sheet" / "customers.csv"
COLUMNS = [
    Column("Industry", "agent", "Industry of {Company}", "category", ("Software", "Fintech", "Other")),
    Column("Employees", "agent", "Number of employees at {Company}", "number"),
    Column("Summary", "agent", "Summary of {Company}", "text"),
    Column("Email", "agent", "Email to {Contact} at {Company} about pricing, using: {Summary}", "text"),
]


def _sheet():  # noqa: ANN202
    sheet = import_csv(CUSTOMERS)
    for column in COLUMNS:
        sheet.add_column(column)
    return sheet


def test_cells_fill_deterministically_through_the_openai_client_with_provenance(lab) -> None:  # noqa: ANN001
    sheet = _sheet()
    runner = LLMCellRunner(lab)
    runner.start_batch("test batch")
    with SheetExecutor(sheet, runner, concurrency=4) as executor:
        assert executor.run_all().wait(20)
    run_id = runner.end_batch()
    for row in range(len(sheet)):
        for column in COLUMNS:
            cell = sheet.cell(row, column.name)
            assert cell.state == CellState.DONE, cell
            raw = fill_cell(cell.provenance["prompt"], column.output_type, list(column.options) or None, 0)
            assert cell.provenance["raw_text"] == raw  # same answer as the offline SimCellRunner
    cell = sheet.cell(0, "Email")
    prov = cell.provenance
    assert prov["run_id"] == run_id and prov["step_id"]
    assert "Maria Lopez" in prov["prompt"] and prov["prompt_tokens"] > 0 and prov["completion_tokens"] > 0
    assert "[[task:sheet_cell]]" in prov["system_prompt"] and prov["latency_ms"] >= 0
    run, steps = load_run(lab.engine, run_id)
    assert run.kind == "sheet" and run.status == "done" and run.title == "test batch"
    assert len(steps) == len(sheet) * len(COLUMNS)
    step = next(s for s in steps if s.id == prov["step_id"])
    assert step.kind == "llm_call" and step.output["content"] == cell.value


def test_provider_errors_become_the_cell_error_with_a_reason_and_a_step(tmp_path: Path) -> None:
    from agent_core.lab import Lab
    from labkit import make_settings

    settings = make_settings(sim=SimConfig(ttft_ms=0, tokens_per_s=0, error_rate=1.0))
    settings.provider.max_retries = 0
    lab = Lab(tmp_path / "data", settings)
    try:
        sheet = _sheet()
        runner = LLMCellRunner(lab)
        with SheetExecutor(sheet, runner, concurrency=2) as executor:
            assert executor.run_column("Summary", include_dependents=True).wait(20)
        run_id = runner.end_batch()
        cell = sheet.cell(0, "Summary")
        assert cell.state == CellState.ERROR
        assert cell.error.startswith("Model call failed:") and "(500)" in cell.error
        assert cell.provenance["run_id"] == run_id and cell.provenance["step_id"]
        assert cell.provenance["error_kind"] == "status"
        assert sheet.cell(0, "Email").state == CellState.SKIPPED  # dependents wait for a good input
        with Session(lab.engine) as session:
            run = session.get(Run, run_id)
            assert run is not None and run.status == "error" and "cells failed" in (run.error or "")
    finally:
        lab.close()


def test_a_bare_llm_runner_records_nothing_and_honours_a_seed() -> None:
    llm = LLM(ProviderSettings(), SimConfig.instant(seed=3))
    column = Column("Pitch", "agent", "One-line pitch for {Company} aimed at {Persona}", "text")
    result = LLMCellRunner(llm)("One-line pitch for Northwind Analytics aimed at CFO", column, {})
    assert result.run_id is None and result.details["step_id"] is None
    assert result.raw_text == fill_cell(
        "One-line pitch for Northwind Analytics aimed at CFO", "text", None, 3
    )


def test_plan_columns_goes_through_the_model_and_validates_references() -> None:
    llm = LLM(ProviderSettings(), SimConfig.instant())
    names = ["Company", "Contact", "Persona", "Website", "Plan"]
    columns = plan_columns_with_llm(llm, "Email each customer about the new pricing", names)
    assert [c.name for c in columns] == ["Summary", "Email"]
    assert "{Summary}" in columns[1].prompt and "{Contact}" in columns[1].prompt


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Sure! Here you go", "contains no JSON"),
        ('{"columns": [', "not valid JSON"),
        ('{"cols": []}', "without a 'columns' list"),
        ('[{"name": "A", "prompt": "x {Nope}", "type": "text"}]', "unknown column {Nope}"),
        ('[{"name": "A", "prompt": "x", "type": "colour"}]', "expected one of"),
    ],
)
def test_bad_plans_fail_with_clear_messages(text: str, message: str) -> None:
    with pytest.raises(SheetSpecError, match="the model's plan") as info:
        parse_plan(text, input_columns=["Company"])
    assert message in str(info.value)


def test_plans_in_fences_or_prose_are_accepted() -> None:
    text = 'Here is the plan:\n```json\n{"columns": [{"name": "HQ", "prompt": "HQ of {Company}", "type": "text"}]}\n```'
    assert [c.name for c in parse_plan(text, input_columns=["Company"])] == ["HQ"]


def test_cells_recall_the_profiles_facts_as_memory_used(lab) -> None:  # noqa: ANN001
    from memory.models import Memory

    lab.store.add(Memory(namespace="default", content="Signs emails as Ada from Northwind pricing team"))
    lab.store.add(Memory(namespace="default", content="Likes jazz"))
    lab.store.add(Memory(namespace="other", content="Signs emails as Bob from Northwind"))
    column = Column("Email", "agent", "Email to {Contact} about pricing", "text")
    result = LLMCellRunner(lab)("Email to Grace about the new pricing, signed for Northwind", column, {})
    used = [m["content"] for m in result.memory_used]
    assert used == ["Signs emails as Ada from Northwind pricing team"]  # not the jazz, not profile other
    step = load_run(lab.engine, result.run_id)[1][0]
    assert "Signs emails as Ada" in step.input_json  # the model saw it
    plain = LLMCellRunner(lab, use_memory=False)(
        "Email to Grace about pricing, signed for Northwind", column, {}
    )
    assert plain.memory_used == [] and plain.raw_text


def test_a_profile_switch_applies_to_the_next_cell(lab) -> None:  # noqa: ANN001
    from memory.models import Memory

    lab.store.add(Memory(namespace="default", content="Signs emails as Ada from Northwind"))
    lab.store.add(Memory(namespace="other", content="Signs emails as Bob from Northwind"))
    column = Column("Email", "agent", "Email to {Contact}", "text")
    runner = LLMCellRunner(lab)
    prompt = "Email to Grace, signed for Northwind"
    assert [m["content"] for m in runner(prompt, column, {}).memory_used] == [
        "Signs emails as Ada from Northwind"
    ]
    runner.set_profile("other")
    assert [m["content"] for m in runner(prompt, column, {}).memory_used] == [
        "Signs emails as Bob from Northwind"
    ]
