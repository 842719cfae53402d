"""The trace viewer over real runs from the chat agent, live updates and scrubbed export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_core.agent import ChatAgent
from desktop.traces import EMPTY_RUNS, TraceViewer

SECRET = "sk-live-TraceKey0123456789"


@pytest.fixture
def viewer(qtbot, ctx) -> TraceViewer:  # noqa: ANN001
    page = TraceViewer(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def step_labels(page: TraceViewer) -> list[str]:
    tree = page.step_tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def test_empty_state_when_there_are_no_runs(viewer: TraceViewer) -> None:
    assert viewer.runs_stack.currentWidget() is viewer.runs_empty
    assert viewer.runs_empty.text() == EMPTY_RUNS
    assert not viewer.export_button.isEnabled()


def test_a_chat_turn_appears_live_with_its_steps(qtbot, viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    conv = lab.conversations.create("default").id
    result = ChatAgent(lab).turn(conv, "My name is Ada")
    qtbot.waitUntil(lambda: result.run_id in viewer.runs_model.ids(), timeout=3000)
    assert viewer.runs_stack.currentWidget() is viewer.run_list
    assert viewer.select_run(result.run_id)
    labels = step_labels(viewer)
    assert labels[0].startswith("human_input")
    assert any(x.startswith("memory_read") for x in labels) and any(x.startswith("llm_call") for x in labels)
    llm = next(viewer.step_tree.topLevelItem(i) for i, x in enumerate(labels) if x.startswith("llm_call"))
    viewer.step_tree.setCurrentItem(llm)
    detail = json.loads(viewer.details.toPlainText())
    assert detail["kind"] == "llm_call" and detail["input"]["messages"][-1]["content"] == "My name is Ada"
    assert detail["tokens"]["prompt"] > 0
    assert "LLM call" in viewer.summary.text()


def test_filter_by_kind(qtbot, viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    ChatAgent(lab).turn(lab.conversations.create("default").id, "I live in Lisbon")
    viewer.refresh()
    assert viewer.runs_model.rowCount() >= 1
    viewer.kind_filter.setCurrentIndex(viewer.kind_filter.findData("collab"))
    assert viewer.runs_model.rowCount() == 0
    viewer.kind_filter.setCurrentIndex(viewer.kind_filter.findData("chat"))
    assert viewer.runs_model.rowCount() == 1


def test_focus_latest_selects_the_recall(viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    ChatAgent(lab).turn(lab.conversations.create("default").id, "My name is Ada")
    viewer.refresh()
    viewer.focus_latest()
    assert json.loads(viewer.details.toPlainText())["kind"] == "memory_read"
    assert "Recalled" in viewer.summary.text()


def test_export_writes_json_without_the_api_key(viewer: TraceViewer, lab, tmp_path: Path) -> None:  # noqa: ANN001
    s = lab.settings
    s.provider.api_key = SECRET
    lab.apply_settings(s)
    result = ChatAgent(lab).turn(lab.conversations.create("default").id, f"remember that my key is {SECRET}")
    viewer.refresh()
    assert viewer.select_run(result.run_id) and viewer.export_button.isEnabled()
    out = viewer.export_to(tmp_path / "run.json")
    text = out.read_text()
    data = json.loads(text)
    assert data["run"]["id"] == result.run_id and data["steps"]
    assert SECRET not in text
    assert SECRET not in (lab.data_dir / "settings.json").read_text()
