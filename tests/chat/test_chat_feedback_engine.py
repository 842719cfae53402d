"""Chat feedback runs in the agent engine (its proposal and replay make model calls): a pending
proposal made there reaches the Memory inspector's Feedback tab, and is accepted there too."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.chat.conftest import MakePage, send_and_wait


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_feedback_goes_through_the_engine_to_the_inspector(
    qtbot: QtBot, make_page: MakePage, engine_kind: str
) -> None:
    from desktop.inspector import MemoryInspector

    page = make_page(memory_mode="hot_path", feedback_auto_accept=False)
    lab, ctx = page.ctx.lab, page.ctx
    send_and_wait(qtbot, page, "I live in Paris.")
    send_and_wait(qtbot, page, "Where do I live?")
    inspector = MemoryInspector(ctx)
    qtbot.addWidget(inspector)
    tab = inspector.trust_tabs.feedback
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        inspector.tabs.setCurrentWidget(tab)

    ran_in: list[str] = []  # where the GUI process's Lab ran feedback (the child's is another Lab)
    real = lab.feedback

    def feedback(*args: object) -> dict:
        ran_in.append(threading.current_thread().name)
        return real(*args)  # type: ignore[arg-type]

    lab.feedback = feedback  # type: ignore[method-assign]
    turn = page.turns()[-1]
    turn.assistant_actions.thumb_down.click()
    turn.feedback.comment.setText("No, I live in Berlin.")
    with qtbot.waitSignals([page.feedback_done, tab.loaded], timeout=20_000, order="none"):
        turn.feedback.send_button.click()
    if engine_kind == "local":
        assert len(ran_in) == 1 and ran_in[0].startswith("engine")  # a LocalEngine thread
    else:
        assert ran_in == []  # the engine's child did it
    assert "waiting for you in Memory › Feedback" in turn.feedback_result.text()
    qtbot.waitUntil(lambda: tab.proposals.count() == 1, timeout=10_000)
    (p,) = lab.pending_proposals(ctx.profile)  # stored by the engine, read by the GUI's Lab
    assert ("semantic", "supersede") in [(c.kind, c.action) for c in p.changes]

    for i in range(tab.changes.count()):
        if not tab.changes.item(i).text().startswith("[fact]"):
            tab.changes.item(i).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(tab.applied, timeout=20_000) as blocker:
        tab.apply_button.click()
    assert [r for r in blocker.args[0]["replay"] if r["changed"] and "Berlin" in r["after"]]
    assert [m.content for m in lab.store.list(ctx.profile, "semantic")] == ["Lives in Berlin"]
    qtbot.waitUntil(lambda: tab.proposals.count() == 0, timeout=10_000)
    assert lab.pending_proposals(ctx.profile) == []
    inspector.shutdown()
