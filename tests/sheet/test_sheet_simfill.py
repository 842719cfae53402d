"""The offline brain and the rule planner: deterministic, plausible, and valid for each output type."""

from __future__ import annotations

import json

import pytest

from agent_core.sheet import (
    OUTPUT_TYPES,
    CellState,
    Column,
    SheetExecutor,
    SimCellRunner,
    fill_cell,
    import_csv,
    parse_output,
    plan_columns,
)
from agent_core.sheet.planner import INDUSTRY_OPTIONS
from agent_core.sheet.simfill import COMPANIES_PATH, load_companies

INPUTS = ["Company", "Contact", "Persona", "Website", "Plan"]


def test_sample_data_is_complete() -> None:
    companies = load_companies()
    assert len(companies) >= 40 and len({c.name for c in companies}) == len(companies)
    assert {c.industry for c in companies} <= set(INDUSTRY_OPTIONS)
    assert COMPANIES_PATH.exists()


@pytest.mark.parametrize(
    ("prompt", "output_type", "options", "expected"),
    [
        ("Industry of Helix Diagnostics", "text", None, "Healthcare"),
        ("Industry of Helix Diagnostics", "category", list(INDUSTRY_OPTIONS), "Healthcare"),
        ("Number of employees at Kumo Robotics", "number", None, "760"),
        ("Year Cobalt Freight was founded", "number", None, "1998"),
        ("Headquarters city of Lotus Commerce", "text", None, "Shanghai, China"),
        ("Is harborcloud.dev reachable? yes/no", "yes/no", None, "yes"),
        ("Is ghostline.invalid reachable? yes/no", "yes/no", None, "no"),
        ("Is Cobalt Freight based in Europe?", "yes/no", None, "yes"),
        ("Does Atlas Ledger have more than 1000 employees?", "yes/no", None, "no"),
        ("Size of Cobalt Freight", "category", ["1-50", "51-500", "501-5000", "5000+"], "501-5000"),
        ("Industry of Pemberton & Sons", "category", list(INDUSTRY_OPTIONS), "Other"),
    ],
)
def test_lookups_and_rules(prompt: str, output_type: str, options: list[str] | None, expected: str) -> None:
    assert fill_cell(prompt, output_type, options, seed=0) == expected


def test_every_answer_parses_for_its_type_even_for_unknown_companies() -> None:
    prompts = [
        "Employees at Pemberton & Sons",
        "Summary of Nowhere Ltd",
        "Score 1-10 for Zed Co",
        "Profile of Nobody",
    ]
    for prompt in prompts:
        for output_type in OUTPUT_TYPES:
            options = ["Hot", "Cold"] if output_type == "category" else None
            parse_output(fill_cell(prompt, output_type, options, seed=7), output_type, options)
    assert (
        json.loads(fill_cell("Profile of Atlas Ledger", "json", None, 0))["hq"] == "New York, United States"
    )
    assert "No record of Nowhere Ltd" in fill_cell("Summary of Nowhere Ltd", "text", None, 0)


def test_fill_is_deterministic_and_varies_by_seed() -> None:
    prompt = "Email to Maria Lopez at Northwind Analytics about the new pricing"
    runs = {fill_cell(prompt, "text", None, seed) for seed in range(6)}
    assert fill_cell(prompt, "text", None, 3) == fill_cell(prompt, "text", None, 3)
    assert len(runs) > 1
    assert all(text.split()[1] == "Maria," and "the new pricing" in text for text in runs)
    pitch = fill_cell("One-line pitch for Lotus Commerce aimed at Growth Manager", "text", None, 1)
    assert "Lotus Commerce" in pitch and "Growth Manager" in pitch


def test_planner_email_request_chains_summary_into_email() -> None:
    columns = plan_columns("Email each customer about the new pricing", INPUTS)
    assert [(c.name, c.output_type) for c in columns] == [("Summary", "text"), ("Email", "text")]
    assert columns[0].prompt == "Summary of {Company}"
    assert columns[1].prompt.startswith("Email to {Contact} at {Company} about the new pricing")
    assert "{Summary}" in columns[1].prompt


def test_planner_industry_and_size_and_fallback_and_clashes() -> None:
    columns = plan_columns("Find the industry and size of each company", INPUTS)
    assert [(c.name, c.output_type) for c in columns] == [("Industry", "category"), ("Employees", "number")]
    assert columns[0].options == INDUSTRY_OPTIONS
    [fallback] = plan_columns("Who is their main competitor?", INPUTS)
    assert fallback.prompt == "Who is their main competitor — for {Company}"
    renamed = plan_columns("Email them about the launch", ["Company", "Summary"])
    assert [c.name for c in renamed] == ["Summary (AI)", "Email"] and "{Summary (AI)}" in renamed[1].prompt
    assert plan_columns("anything", []) == []


def test_demo_sheet_runs_end_to_end_with_the_simulator(tmp_path) -> None:
    sheet = import_csv(COMPANIES_PATH.parent / "customers.csv")
    for request in (
        "Email each customer about the new pricing",
        "Find the industry and size of each company",
    ):
        for column in plan_columns(request, [c.name for c in sheet.columns]):
            sheet.add_column(column)
    sheet.add_column(Column("Reachable", "agent", "Is {Website} reachable? yes/no", "yes/no"))
    with SheetExecutor(sheet, SimCellRunner(seed=1), concurrency=4) as executor:
        assert executor.run_all().wait(5)
    states = {sheet.cell(row, col.name).state for row in range(len(sheet)) for col in sheet.columns[5:]}
    assert states == {CellState.DONE}
    ghost = next(r for r in range(len(sheet)) if sheet.row_values(r)["Company"] == "Ghostline Ventures")
    assert sheet.cell(ghost, "Reachable").value == "no" and sheet.cell(ghost, "Industry").value == "Fintech"
