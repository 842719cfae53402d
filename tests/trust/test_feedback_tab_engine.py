"""The Feedback tab lists proposals by a query, reloads when one is made, and settles them in the
agent engine (a LocalEngine here: the same calls the app's child process gets)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab


@pytest.fixture
def inspector(lab: Lab, qtbot: QtBot) -> Iterator:
    from desktop.inspector import MemoryInspector
    from ui_patterns.common.context import LabContext
    from ui_patterns.common.workers import active_workers

    ctx = LabContext(lab)
    ctx.set_profile("ada")
    page = MemoryInspector(ctx)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    yield page
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    lab.background.flush(10)
    ctx.close()


def _replies(lab: Lab) -> list[str]:
    agent = ChatAgent(lab, "ada", memory_mode="hot_path")
    conv = lab.conversations.create("ada").id
    return [agent.turn(conv, t).message_id for t in ("I live in Paris.", "Where do I live?")]


def _spy(engine: object, calls: list[tuple]) -> None:
    real = engine.call  # type: ignore[attr-defined]

    def call(service: str, method: str, *args: object, lane: str | None = None) -> object:
        calls.append((service, method, threading.current_thread().name))
        return real(service, method, *args, lane=lane)

    engine.call = call  # type: ignore[attr-defined]


def test_the_tab_reloads_when_a_proposal_is_made_and_keeps_the_checks(
    inspector,
    lab: Lab,
    qtbot: QtBot,  # noqa: ANN001
) -> None:
    first, second = _replies(lab)
    tab = inspector.trust_tabs.feedback
    with qtbot.waitSignal(tab.loaded, timeout=10_000) as blocker:
        inspector.tabs.setCurrentWidget(tab)
    assert blocker.args == [0] and tab.empty.isVisibleTo(tab) and not tab.apply_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=10_000) as blocker:  # the store's "proposal" event
        lab.feedback(second, -1, "wrong", "I live in Berlin.", "ada", auto_accept=False)
    assert blocker.args == [1] and tab.apply_button.isEnabled()
    tab.changes.item(1).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(tab.loaded, timeout=10_000) as blocker:
        lab.feedback(first, 1, "", "I work as a nurse.", "ada", auto_accept=False)
    assert blocker.args == [2] and tab.proposals.currentRow() == 0
    assert tab.changes.item(1).checkState() == Qt.CheckState.Unchecked  # a reload kept the user's choice


def test_accept_and_reject_run_in_the_engine(inspector, lab: Lab, qtbot: QtBot) -> None:  # noqa: ANN001
    _first, second = _replies(lab)
    ids = [
        lab.feedback(second, -1, c, "", "ada", auto_accept=False)["proposal"] for c in ("too long", "rude")
    ]
    tab = inspector.trust_tabs.feedback
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        inspector.tabs.setCurrentWidget(tab)
    calls: list[tuple] = []
    _spy(inspector.ctx.engine, calls)
    applied_in: list[str] = []
    real_accept = lab.accept_feedback

    def accept(*args: object) -> dict:
        applied_in.append(threading.current_thread().name)
        return real_accept(*args)  # type: ignore[arg-type]

    lab.accept_feedback = accept  # type: ignore[method-assign]
    with qtbot.waitSignal(tab.applied, timeout=10_000) as blocker:
        tab.apply_button.click()
        assert not tab.apply_button.isEnabled()  # no second click while it runs
    assert blocker.args[0]["proposal"] == ids[0] and blocker.args[0]["instructions"]
    assert applied_in and applied_in[0].startswith("engine")  # an engine thread, not a GUI worker
    qtbot.waitUntil(lambda: tab.proposals.count() == 1 and tab.reject_button.isEnabled())
    with qtbot.waitSignal(tab.rejected, timeout=10_000) as blocker:
        tab.reject_button.click()
    assert blocker.args == [ids[1]] and "nothing was changed" in tab.result_view.toPlainText()
    assert [c[:2] for c in calls] == [("lab", "accept_feedback"), ("lab", "reject_feedback")]
    qtbot.waitUntil(lambda: tab.proposals.count() == 0 and tab.empty.isVisibleTo(tab))
    assert lab.pending_proposals("ada") == []


def test_a_proposal_settled_elsewhere_is_a_clear_error_and_leaves_the_list(
    inspector,
    lab: Lab,
    qtbot: QtBot,  # noqa: ANN001
) -> None:
    _first, second = _replies(lab)
    pid = lab.feedback(second, -1, "wrong", "I live in Berlin.", "ada", auto_accept=False)["proposal"]
    tab = inspector.trust_tabs.feedback
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        inspector.tabs.setCurrentWidget(tab)
    lab.proposals.reject(pid)  # another process's Lab, without telling this one
    with qtbot.waitSignal(tab.failed, timeout=10_000) as blocker:
        tab.apply_button.click()
    assert (
        blocker.args[0] == f"ProposalError: feedback proposal {pid} is already rejected: nothing was changed"
    )
    qtbot.waitUntil(lambda: tab.proposals.count() == 0)
    assert "FOUND" not in inspector.banner_text() and pid in inspector.banner_text()
    assert [m.content for m in lab.store.list("ada", "semantic")] == ["Lives in Paris"]
