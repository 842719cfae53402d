"""The ambient page with pytest-qt: live inbox, allow-flag buttons, answering, pause and rewind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from agent_core.ambient import AmbientAgent, CalendarSource, EmailSource, InboxItem
from agent_core.engine import LocalEngine, ProcessEngine
from agent_core.lab import Lab
from agent_core.runs import load_run
from ui_patterns.ambient.page import AmbientPage
from ui_patterns.common import LabContext

EMAILS = {e.id: e for e in EmailSource().events()}
CAL = {e.id: e for e in CalendarSource().events()}


@pytest.fixture(params=["local", "process"])
def page(request, qtbot, tmp_path: Path, settings) -> Iterator[AmbientPage]:  # noqa: ANN001
    """Agents run in this process (LocalEngine), or in the engine's child process as in the app."""
    lab = Lab(tmp_path / "data", settings, chroma_process=request.param == "process")
    lab.warm_up()
    ctx = LabContext(lab)
    assert isinstance(ctx.engine, ProcessEngine if request.param == "process" else LocalEngine)
    agents = [AmbientAgent(k, k, f"t.{k}", "hot_path") for k in ("triage", "scheduler", "researcher")]
    p = AmbientPage(ctx, agents=agents, events=[])
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    yield p
    p.shutdown()
    ctx.close()
    lab.close()


def settle(qtbot, page: AmbientPage, n_items: int | None = None) -> None:  # noqa: ANN001
    def done() -> None:
        assert page.controller.idle()
        if n_items is not None:
            page.refresh_inbox()
            assert page.inbox.model.rowCount() == n_items

    qtbot.waitUntil(done, timeout=20000)
    page.refresh_inbox()


def select(qtbot, page: AmbientPage, pred) -> InboxItem:  # noqa: ANN001
    row = next(i for i in range(page.inbox.model.rowCount()) if pred(page.inbox.model.item(i)))
    rect = page.inbox.view.visualRect(page.inbox.model.index(row))
    qtbot.mouseClick(page.inbox.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    item = page.inbox.model.item(row)
    assert page.detail.item is not None and page.detail.item.id == item.id
    return item


def test_items_arrive_while_the_user_types(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    editor = QLineEdit()
    qtbot.addWidget(editor)
    editor.show()
    editor.setFocus()
    for k in ("e001", "e011", "e019", "e050", "e026"):
        page.controller.deliver(EMAILS[k])
    qtbot.keyClicks(editor, "typing while agents work")
    settle(qtbot, page, 4)  # the spam was ignored
    assert editor.text() == "typing while agents work"
    assert page.inbox.badge.text() == "4"
    first = page.inbox.model.item(0)
    assert first.priority == 2  # the invoice comes first; unread rows are bold
    assert page.inbox.model.data(page.inbox.model.index(0), Qt.ItemDataRole.FontRole).bold()
    page.inbox.filter.setCurrentIndex(page.inbox.filter.findData("scheduler"))
    assert page.inbox.model.rowCount() == 0 and page.inbox.empty.isVisible()


def test_review_accept_edit_reject(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    for k in ("c001", "c004", "c006"):
        page.controller.deliver(CAL[k])
    page.controller.deliver(EMAILS["e050"])
    settle(qtbot, page, 4)
    note = select(qtbot, page, lambda it: it.kind == "notify")
    d = page.detail
    assert [b.isVisible() for b in (d.accept_btn, d.edit_btn, d.respond_btn, d.ignore_btn)] == [
        False, False, True, True]  # fmt: skip
    assert note.read is False
    first = select(qtbot, page, lambda it: it.kind == "review" and it.event_id == "c001")
    assert all(b.isVisible() for b in (d.accept_btn, d.edit_btn, d.respond_btn, d.ignore_btn))
    qtbot.mouseClick(d.accept_btn, Qt.MouseButton.LeftButton)
    select(qtbot, page, lambda it: it.event_id == "c004")
    field = d.fields["duration_min"].editor
    field.clear()
    qtbot.keyClicks(field, "25")
    qtbot.mouseClick(d.edit_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, page, 2)
    select(qtbot, page, lambda it: it.event_id == "c006")
    qtbot.mouseClick(d.ignore_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, page, 1)
    sent = {a.run_id: json.loads(a.args_json) for a in page.controller.hub.actions("scheduler")}
    assert len(sent) == 2
    edited = next(v for v in sent.values() if v["title"] == CAL["c004"].data["title"])
    assert edited["duration_min"] == 25 and isinstance(edited["duration_min"], int)
    assert first.run_id in sent


def test_answer_question_resumes_run(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.controller.deliver(EMAILS["e044"])  # discount question: triage drafts, researcher asks
    settle(qtbot, page, 2)
    assert page.inbox.badge.text() == "2"
    q = select(qtbot, page, lambda it: it.kind == "question")
    assert not page.detail.accept_btn.isVisible() and page.detail.respond_btn.isVisible()
    qtbot.keyClicks(page.detail.reply, "Registered charities get 50% off.")
    with qtbot.waitSignal(
        page.controller.run_changed,
        timeout=10000,
        check_params_cb=lambda r, s: r == q.run_id and s == "answered",
    ):
        qtbot.mouseClick(page.detail.respond_btn, Qt.MouseButton.LeftButton)
    settle(qtbot, page, 1)
    assert load_run(page.ctx.lab.engine, q.run_id)[0].status == "done"
    assert page.inbox.badge.text() == "1"


def test_pause_rewind_correct_resume(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.controller.deliver(EMAILS["e001"])
    settle(qtbot, page, 1)
    note = page.inbox.model.item(0)
    qtbot.mouseClick(page.agents_panel.buttons["triage"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.agents_panel.status_text("triage") == "paused")
    page.tabs.setCurrentIndex(1)
    page.refresh_runs()
    page.timeline.select_run(note.run_id)
    page.timeline.steps.selectRow(1)  # step 2: the memory read, before the triage call
    assert page.timeline.rewind_btn.isEnabled()
    qtbot.mouseClick(page.timeline.rewind_btn, Qt.MouseButton.LeftButton)
    dlg = page.rewind_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.instruction, "Always ignore newsletters.")
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    hub = page.controller.hub
    qtbot.waitUntil(lambda: any(r.parent_run_id == note.run_id for r in hub.runs()), timeout=10000)
    fork = next(r for r in hub.runs() if r.parent_run_id == note.run_id)
    assert fork.status == "paused"  # the agent is paused: nothing re-runs yet
    qtbot.mouseClick(page.agents_panel.buttons["triage"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: load_run(page.ctx.lab.engine, fork.id)[0].status == "done", timeout=10000)
    settle(qtbot, page, 0)
    original, steps = load_run(page.ctx.lab.engine, note.run_id)
    assert original.status == "stopped" and len(steps) == 3  # still viewable
    assert [s.name for s in load_run(page.ctx.lab.engine, fork.id)[1]][-1] == "ignored"
    page.refresh_runs()
    assert page.timeline._find(fork.id).parent().text(2) == "discarded branch"
