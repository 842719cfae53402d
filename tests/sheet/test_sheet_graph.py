"""Dependency rules: reference parsing, topological order, refusals, and exact stale propagation."""

from __future__ import annotations

import pytest

from agent_core.sheet import (
    Cell,
    CellState,
    Column,
    DependencyGraph,
    Sheet,
    SheetSpecError,
    fill_prompt,
    references,
)


def agent(name: str, prompt: str, output_type: str = "text") -> Column:
    return Column(name, "agent", prompt, output_type)


def test_references_ignore_json_braces_and_dedupe() -> None:
    prompt = 'Pitch for {Company} aimed at { Persona }, as {"pitch": "..."}; again {Company}'
    assert references(prompt) == ["Company", "Persona"]
    assert fill_prompt("Hi {Contact} {Unknown}", {"Contact": "王芳"}) == "Hi 王芳 {Unknown}"


def test_topological_order_is_stable_and_respects_dependencies() -> None:
    columns = [
        agent("Email", "Email {Contact} using {Summary} and {Industry}"),
        Column("Company"),
        agent("Summary", "Summary of {Company} in {Industry}"),
        Column("Contact"),
        agent("Industry", "Industry of {Company}"),
    ]
    graph = DependencyGraph(columns)
    order = list(graph.order)
    assert order.index("Industry") < order.index("Summary") < order.index("Email")
    assert order[:2] == ["Company", "Contact"]
    assert graph.dependents("Company") == ["Industry", "Summary", "Email"]
    assert graph.dependents("Email") == []


def test_cycle_is_refused_naming_the_columns() -> None:
    columns = [
        Column("Company"),
        agent("A", "{B} of {Company}"),
        agent("B", "{C}"),
        agent("C", "{A}"),
        agent("D", "{A}"),
    ]
    with pytest.raises(
        SheetSpecError, match=r"cycle between columns: A → C → B → A|cycle between columns: A → B → C → A"
    ):
        DependencyGraph(columns)
    with pytest.raises(SheetSpecError, match="cycle between columns: Self → Self"):
        DependencyGraph([agent("Self", "more of {Self}")])


def test_unknown_reference_names_column_and_reference() -> None:
    with pytest.raises(SheetSpecError, match=r"column 'Pitch' references unknown column \{Persona\}"):
        Sheet([Column("Company"), agent("Pitch", "Pitch for {Company} aimed at {Persona}")])


def test_add_column_refusal_leaves_sheet_unchanged() -> None:
    sheet = Sheet([Column("Company"), agent("A", "{Company}")], [{"Company": "Acme"}])
    with pytest.raises(SheetSpecError, match="duplicate column name 'a'"):
        sheet.add_column(agent("a", "{Company}"))
    with pytest.raises(SheetSpecError, match="unknown column"):
        sheet.add_column(agent("B", "{Nope}"))
    assert [c.name for c in sheet.columns] == ["Company", "A"]


def _done_sheet() -> Sheet:
    sheet = Sheet(
        [
            Column("Company"),
            Column("Persona"),
            agent("Industry", "Industry of {Company}"),
            agent("Pitch", "Pitch for {Company} in {Industry}"),
            agent("Persona note", "Note for {Persona}"),
            agent("Email", "Email using {Pitch}"),
        ],
        [{"Company": "Acme", "Persona": "CTO"}, {"Company": "Beta", "Persona": "CFO"}],
    )
    for row in range(2):
        for col in ("Industry", "Pitch", "Persona note", "Email"):
            sheet.update_cell(row, col, value=f"{col}{row}", state=CellState.DONE)
    return sheet


def test_input_edit_marks_exactly_the_transitive_dependents_of_that_row_stale() -> None:
    sheet = _done_sheet()
    seen: list[tuple[int, str, CellState]] = []
    sheet.subscribe(lambda row, col, cell: seen.append((row, col, cell.state)))
    stale = sheet.set_input(0, "Company", "Acme Corp")
    assert stale == {(0, "Industry"), (0, "Pitch"), (0, "Email")}
    assert sheet.cell(0, "Persona note").state == CellState.DONE
    assert all(sheet.cell(1, col).state == CellState.DONE for col in ("Industry", "Pitch", "Email"))
    assert sheet.cell(0, "Pitch").value == "Pitch0"  # the old value stays visible while stale
    assert (0, "Company", CellState.DONE) in seen and (0, "Email", CellState.STALE) in seen
    assert sheet.set_input(0, "Company", "Acme Corp") == set()  # same value: nothing to redo


def test_prompt_edit_marks_column_and_dependents_stale_in_all_rows_but_empty_stays_empty() -> None:
    sheet = _done_sheet()
    sheet.update_cell(1, "Email", value=None, state=CellState.EMPTY)
    stale = sheet.edit_column("Pitch", prompt="Short pitch for {Company}")
    assert stale == {(0, "Pitch"), (1, "Pitch"), (0, "Email")}
    assert sheet.cell(1, "Email") == Cell(value=None, state=CellState.EMPTY)
    assert sheet.cell(0, "Industry").state == CellState.DONE
    with pytest.raises(SheetSpecError, match="cycle between columns"):
        sheet.edit_column("Pitch", prompt="Pitch from {Email}")
    assert sheet.column("Pitch").prompt == "Short pitch for {Company}"


def test_cell_invalidated_while_running_finishes_stale() -> None:
    sheet = _done_sheet()
    sheet.update_cell(0, "Industry", state=CellState.RUNNING)
    assert (0, "Industry") in sheet.set_input(0, "Company", "Other")
    assert sheet.update_cell(
        0, "Industry", expect={CellState.RUNNING}, value="x", state=CellState.DONE
    ).state == (CellState.STALE)
