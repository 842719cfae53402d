"""The inspector's trust tabs and the chat's provenance link, driven like a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.memlab.contradictions import SUITES, plot, run_workbench


@pytest.fixture
def inspector(lab: Lab, qtbot) -> Iterator:  # noqa: ANN001
    from desktop.inspector import MemoryInspector
    from ui_patterns.common.context import LabContext
    from ui_patterns.common.workers import active_workers

    ctx = LabContext(lab)
    ctx.set_profile("ada")
    page = MemoryInspector(ctx)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1100, 700)
    yield page
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    lab.background.flush(10)
    ctx.close()


def _chat(lab: Lab, *texts: str) -> list:
    agent = ChatAgent(lab, "ada", memory_mode="hot_path")
    conv = lab.conversations.create("ada").id
    return [agent.turn(conv, t) for t in texts]


def test_time_travel_tab_slides_over_turns_and_diffs(inspector, lab: Lab, qtbot) -> None:  # noqa: ANN001
    _chat(lab, "My name is Ada.", "I live in Paris.", "I moved to Berlin.")
    tab = inspector.trust_tabs.timetravel
    with qtbot.waitSignal(tab.loaded, timeout=10_000) as blocker:
        inspector.tabs.setCurrentWidget(tab)
    assert blocker.args == [3]
    assert tab.store_texts() == ["Name is Ada", "Lives in Berlin"]
    assert "+ Lives in Berlin" in tab.diff_text() and "- Lives in Paris" in tab.diff_text()
    tab.slider.setValue(2)
    assert tab.store_texts() == ["Name is Ada", "Lives in Paris"]
    tab.compare_spin.setValue(0)
    assert "+ Name is Ada" in tab.diff_text()


def test_feedback_tab_applies_only_checked_changes(inspector, lab: Lab, qtbot) -> None:  # noqa: ANN001
    res = _chat(lab, "I live in Paris.", "Where do I live?")
    out = lab.feedback(
        res[-1].message_id, -1, "wrong", correction="I live in Berlin.", profile="ada", auto_accept=False
    )
    tab = inspector.trust_tabs.feedback
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        inspector.tabs.setCurrentWidget(tab)
    proposal = lab.proposals.get(out["proposal"])
    assert tab.proposals.count() == 1 and tab.changes.count() == len(proposal.changes)
    for i in range(tab.changes.count()):
        if not tab.changes.item(i).text().startswith("[fact]"):
            tab.changes.item(i).setCheckState(Qt.CheckState.Unchecked)
    version = lab.procedural.current("ada", "assistant").version
    with qtbot.waitSignal(tab.applied, timeout=10_000):
        qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert [m.content for m in lab.store.list("ada", "semantic")] == ["Lives in Berlin"]
    assert lab.procedural.current("ada", "assistant").version == version
    assert "now: You live in Berlin." in tab.result_view.toPlainText()
    qtbot.waitUntil(lambda: tab.proposals.count() == 0 and tab.empty.isVisibleTo(tab))


def test_quality_tab_prunes_junk_and_audits(inspector, lab: Lab, qtbot) -> None:  # noqa: ANN001
    from memory.models import Memory

    lab.store.add(Memory(namespace="ada", content="Mentioned the weather", importance=0.1))
    lab.store.add(Memory(namespace="ada", content="Lives in Paris", importance=0.9))
    tab = inspector.trust_tabs.quality
    with qtbot.waitSignal(tab.junk.model().rowsInserted, timeout=10_000):
        inspector.tabs.setCurrentWidget(tab)
    assert tab.junk.count() == 1
    with qtbot.waitSignal(tab.pruned, timeout=10_000):
        qtbot.mouseClick(tab.prune_button, Qt.MouseButton.LeftButton)
    assert [m.content for m in lab.store.list("ada")] == ["Lives in Paris"]
    tab.audit_text.setText("Mentioned the weather")
    with qtbot.waitSignal(tab.audited, timeout=10_000) as blocker:
        qtbot.mouseClick(tab.audit_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].structured == [] and "clean" in tab.audit_result.text()
    tab.min_importance.setValue(0.6)
    tab.auto_accept.setChecked(False)
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert lab.settings.feedback_auto_accept is False
    assert lab.settings.min_importance == pytest.approx(
        0.6
    ) and lab.writer.quality.min_importance == pytest.approx(0.6)


def test_delete_in_inspector_reports_the_audit(inspector, lab: Lab, qtbot, monkeypatch) -> None:  # noqa: ANN001
    _chat(lab, "I live in Quuxtown.")
    tab = inspector.semantic
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.refresh()
    monkeypatch.setattr(tab, "confirm", lambda *_a: True)
    mem = lab.store.list("ada", "semantic")[0]
    with qtbot.waitSignal(tab.audited, timeout=10_000):
        tab.delete_memory(mem.id, mem.content)
    assert "Deletion audit: clean" in inspector.banner_text()


def test_detail_panel_shows_provenance_and_links_to_the_run(inspector, lab: Lab, qtbot) -> None:  # noqa: ANN001
    res = _chat(lab, "I live in Lisbon.")
    tab = inspector.semantic
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.refresh()
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: "Extraction call" in tab.detail.text(), timeout=10_000)
    assert "I live in Lisbon." in tab.detail.text()
    with qtbot.waitSignal(inspector.open_run, timeout=2_000) as blocker:
        tab.detail.browser.anchorClicked.emit(
            __import__("PySide6.QtCore").QtCore.QUrl(f"run:{res[0].run_id}")
        )
    assert blocker.args == [res[0].run_id]


def test_contradictions_tab_shows_table_and_chart(inspector, qtbot, tmp_path) -> None:  # noqa: ANN001
    report = run_workbench(["supersede", "add_only"], SUITES[:2])
    tab = inspector.trust_tabs.contradictions
    tab.show_report(report, plot(report, tmp_path / "c.png").read_bytes())
    assert tab.cell(0, 0) == "supersede" and tab.cell(0, 1) == "2/5"
    assert not tab.chart.pixmap().isNull()


def test_chat_turn_link_lists_the_turns_memories(lab: Lab, qtbot) -> None:  # noqa: ANN001
    from ui_patterns.chat.turn import TurnWidget

    res = _chat(lab, "My name is Ada and I live in Rome.")[0]
    turn = TurnWidget("My name is Ada and I live in Rome.")
    qtbot.addWidget(turn)
    turn.message_id, turn.user_message_id = res.message_id, res.user_message_id
    from agent_core.runtime.provenance import memories_from_message

    with qtbot.waitSignal(turn.memories_requested, timeout=1_000):
        turn.memories_link.linkActivated.emit("memories")
    turn.show_turn_memories(
        [m.content for m in memories_from_message(lab.engine, res.message_id) if m.kind == "semantic"]
    )
    assert "Lives in Rome" in turn.turn_memories.text() and "Name is Ada" in turn.turn_memories.text()


def test_inspector_exports_the_whole_project(inspector, lab: Lab, qtbot, tmp_path) -> None:  # noqa: ANN001
    import json

    _chat(lab, "I live in Paris.")
    with qtbot.waitSignal(inspector.transfer_done, timeout=10_000):
        inspector.export_to(tmp_path / "p.json", whole_project=True)
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["format"] == "agent-ux-lab.project" and "ada" in data["profiles"]
    assert "api_key" not in json.dumps(data["settings"])
