"""Fact flips under each consolidation policy: what each one answers, keeps and loses."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.memlab.contradictions import SUITES, WorkbenchReport, plot, run_workbench


@pytest.fixture(scope="module")
def report() -> WorkbenchReport:
    return run_workbench()


def test_supersede_answers_right_and_keeps_history(report: WorkbenchReport) -> None:
    for s in SUITES:
        o = report.get("supersede", s.name)
        assert o.right and not o.stale_answer, (s.name, o.answer)
        assert o.history_kept and not o.stale_current and o.wrongly_invalidated == 0 and o.bystander_ok


@pytest.mark.parametrize("policy", ["update_in_place", "delete_old"])
def test_replacing_policies_answer_right_but_lose_history(report: WorkbenchReport, policy: str) -> None:
    for s in SUITES:
        o = report.get(policy, s.name)
        assert o.right and not o.history_kept and not o.stale_current, (s.name, o.answer)
        assert o.wrongly_invalidated == 0


def test_add_only_keeps_stale_facts_current_and_can_answer_stale(report: WorkbenchReport) -> None:
    outcomes = [report.get("add_only", s.name) for s in SUITES]
    assert all(o.stale_current for o in outcomes)
    assert sum(o.stale_answer for o in outcomes) >= 3
    assert report.get("add_only", "never_said").stale_answer  # add-only cannot retract


def test_never_said_retracts_with_history_under_supersede(report: WorkbenchReport) -> None:
    o = report.get("supersede", "never_said")
    assert "don't know" in o.answer.lower() and o.history_kept


def test_table_and_chart(report: WorkbenchReport, tmp_path: Path) -> None:
    table = report.table()
    assert "supersede" in table.splitlines()[2] and "5/5" in table
    png = plot(report, tmp_path / "c.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert report.by_policy()["add_only"]["stale_current"] == len(SUITES)
