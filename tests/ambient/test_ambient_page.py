"""The ambient page with pytest-qt: live inbox, allow-flag buttons, answering, pause and rewind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from agent_core.ambient import AmbientAgent, CalendarSource, EmailSource, InboxItem
from agent_core.ambient.inbox import Inbox
from agent_core.lab import Lab
from agent_core.runtime.engine import LocalEngine, ProcessEngine
from agent_core.runtime.runs import load_run
from labkit import refuse
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
    if request.param == "process":  # answers, undos and read marks: written by the engine's hub only
        hub = p.controller.hub
        hub.record_answer = hub.retract_answer = hub.mark_read = refuse  # type: ignore[method-assign]
        hub.inbox.record_answer = hub.inbox.reopen = hub.inbox.mark_read = refuse  # type: ignore[method-assign]
    p.controller.undo_ms = 0  # answers resume at once; the undo test sets a window of its own
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
    assert all(
        b.isVisible() and b.height() > 10 for b in (d.accept_btn, d.edit_btn, d.respond_btn, d.ignore_btn)
    )
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
    assert page.detail.item is not None and page.detail.item.kind == "review"  # opened next, so read
    assert page.inbox.badge.text() == "0" and not page.inbox.badge.isVisible()


def test_pause_rewind_correct_resume(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.controller.deliver(EMAILS["e001"])
    settle(qtbot, page, 1)
    note = page.inbox.model.item(0)
    qtbot.mouseClick(page.agents_panel.buttons["triage"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.agents_panel.status_text("triage") == "paused")
    page.tabs.setCurrentIndex(1)
    page.refresh_runs()
    page.timeline.select_run(note.run_id)
    qtbot.waitUntil(lambda: page.timeline.steps.rowCount() == 3)  # steps load off the GUI thread
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
    row = page.timeline._find(fork.id)
    assert row.parent().text(2) == "replaced"
    assert row.text(0) == "Fork at step 2 · “Always ignore newsletters.”" and not row.icon(0).isNull()
    assert f"Fork of run “{original.title}”" in row.toolTip(0)


def test_answer_confirms_offers_undo_and_moves_on(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.controller.undo_ms = 60_000
    for k in ("c001", "c004", "c006"):
        page.controller.deliver(CAL[k])
    settle(qtbot, page, 3)
    first = select(qtbot, page, lambda it: it.event_id == "c001")
    row = page.inbox.model.row_of(first.id)
    below = page.inbox.model.item(row + 1)
    qtbot.mouseClick(page.detail.accept_btn, Qt.MouseButton.LeftButton)
    bar = page.answer_bar
    assert bar.isVisible() and "Accepted · sent to scheduler" in bar.label.text()
    assert bar.undo_btn.isVisible()
    assert page.detail.item is not None and page.detail.item.id == below.id  # on to the next one
    assert page.inbox.model.row_of(first.id) == -1
    hub = page.controller.hub
    qtbot.mouseClick(bar.undo_btn, Qt.MouseButton.LeftButton)
    assert "back in the inbox" in bar.label.text() and not bar.undo_btn.isVisible()
    qtbot.waitUntil(lambda: hub.inbox.get(first.id).status == "pending")  # the engine reopened it
    assert not hub.actions("scheduler")
    qtbot.waitUntil(lambda: page.inbox.model.row_of(first.id) >= 0)
    qtbot.waitUntil(lambda: page.detail.item is not None and page.detail.item.id == first.id)
    assert load_run(page.ctx.lab.engine, first.run_id)[0].status == "waiting"
    # answered again: once the window closes the run resumes, and Undo says it is too late
    page.controller.undo_ms = 50
    with qtbot.waitSignal(page.controller.answer_committed, timeout=5000):
        qtbot.mouseClick(page.detail.accept_btn, Qt.MouseButton.LeftButton)
    assert "can no longer be undone" in bar.label.text() and not bar.undo_btn.isVisible()
    qtbot.waitUntil(lambda: load_run(page.ctx.lab.engine, first.run_id)[0].status == "done", timeout=10000)
    assert page.controller.undo(first.id) is None
    assert [a.run_id for a in hub.actions("scheduler")] == [first.run_id]


def test_a_paused_agent_is_not_shown_as_learning(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.refresh_chart()
    assert page.chart.summary() == "No data yet: no events handled by this agent."
    page.controller.deliver(EMAILS["e001"])
    settle(qtbot, page, 1)
    page.refresh_chart()
    assert [(w.events, w.asks) for w in page.chart.rate.windows] == [(1, 1)]
    qtbot.mouseClick(page.agents_panel.buttons["triage"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.agents_panel.status_text("triage") == "paused")
    for k in ("e002", "e003", "e012"):
        page.controller.deliver(EMAILS[k])
    settle(qtbot, page)
    page.refresh_chart()
    assert [(w.events, w.asks) for w in page.chart.rate.windows] == [(1, 1)]  # not 4 events, 1 ask
    assert "3 events paused, not counted yet" in page.chart.summary()
    assert "not handled yet (the agent is paused)" in page.chart.tip_at(page.chart.width() - 10)


def test_timeline_reads_at_1024(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    """At a 1024 px window the page gets ~840 px: every run column stays, titles elide with a tooltip."""
    page.controller.deliver(EMAILS["e058"])
    settle(qtbot, page, 1)
    page.resize(840, 560)
    page.tabs.setCurrentIndex(1)
    page.refresh_runs()
    tree = page.timeline.runs
    qtbot.waitUntil(lambda: page.timeline.steps.rowCount() > 0)  # the newest run opens by itself
    head = tree.header()
    widths = [head.sectionSize(i) for i in range(head.count())]
    assert all(w > 40 for w in widths) and widths[0] >= 150, widths
    assert sum(widths) <= tree.viewport().width()
    item = tree.topLevelItem(0)
    assert item.toolTip(0).startswith(item.text(0))  # elided in the cell, whole in the tooltip
    assert "T" not in item.text(3) and item.toolTip(3).startswith("started 20")
    steps = page.timeline.steps
    assert sum(steps.horizontalHeader().sectionSize(i) for i in range(5)) <= steps.viewport().width()
    assert page.minimumSizeHint().width() <= 840


def test_empty_states(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    page.tabs.setCurrentIndex(1)
    page.refresh_runs()
    assert page.timeline.stack.currentWidget() is page.timeline.empty
    assert "No runs yet" in page.timeline.empty.text()
    page.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.inbox.stack.currentWidget() is page.inbox.empty)  # loaded off the GUI thread
    assert "Inbox zero" in page.inbox.empty.text()
    assert not page.detail.isVisible()  # nothing to show beneath an empty inbox


def test_answers_undos_and_reads_are_written_by_the_engine(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    """The GUI thread only sends them (in the process variant the GUI's own hub refuses writes)."""
    page.controller.undo_ms = 60_000
    for k in ("c001", "c004"):
        page.controller.deliver(CAL[k])
    settle(qtbot, page, 2)
    hub = page.controller.hub
    first = select(qtbot, page, lambda it: it.event_id == "c001")
    qtbot.waitUntil(lambda: hub.inbox.get(first.id).read)  # marked read by the engine
    qtbot.mouseClick(page.detail.accept_btn, Qt.MouseButton.LeftButton)
    assert page.answer_bar.undo_btn.isVisible() and page.detail.item is not None
    assert page.detail.item.id != first.id  # moved on before the engine stored anything
    qtbot.waitUntil(lambda: hub.inbox.get(first.id).status == "answered")
    assert load_run(page.ctx.lab.engine, first.run_id)[0].status == "waiting"  # held for undo
    qtbot.mouseClick(page.answer_bar.undo_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hub.inbox.get(first.id).status == "pending")
    qtbot.waitUntil(lambda: page.detail.item is not None and page.detail.item.id == first.id)
    page.controller.undo_ms = 0
    qtbot.mouseClick(page.detail.accept_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: load_run(page.ctx.lab.engine, first.run_id)[0].status == "done", timeout=10000)
    assert hub.inbox.get(first.id).status == "answered" and page.controller.undo(first.id) is None
    assert [a.run_id for a in hub.actions("scheduler")] == [first.run_id]


def test_an_invalid_answer_shows_its_error(qtbot, page: AmbientPage) -> None:  # noqa: ANN001
    """Checked at once where the item in hand can tell; else the engine's refusal comes back."""
    page.controller.deliver(EMAILS["e050"])
    page.controller.deliver(CAL["c001"])
    settle(qtbot, page, 2)
    note = select(qtbot, page, lambda it: it.kind == "notify")
    page.detail.answered.emit(note.id, {"type": "accept"})
    assert page.detail.error.isVisible() and "does not allow 'accept'" in page.detail.error.text()
    assert page.detail.item.id == note.id and not page.answer_bar.isVisible()
    review = select(qtbot, page, lambda it: it.kind == "review")
    # answered elsewhere (say the CLI) after this page listed it: only the engine can tell
    Inbox(page.ctx.lab.engine).record_answer(review.id, {"type": "ignore"}, page.ctx.lab.clock.now())
    with qtbot.waitSignal(page.controller.answer_failed, timeout=10000):
        qtbot.mouseClick(page.detail.accept_btn, Qt.MouseButton.LeftButton)
    assert page.detail.item is not None and page.detail.item.id == review.id
    assert page.detail.error.isVisible() and "already answered" in page.detail.error.text()
    assert "Not sent to scheduler" in page.answer_bar.label.text()
    settle(qtbot, page)
    assert load_run(page.ctx.lab.engine, review.run_id)[0].status == "waiting"  # not sent on
    assert page.detail.item.id == review.id and page.detail.error.isVisible()  # refreshes keep it
    select(qtbot, page, lambda it: it.id == note.id)  # until another item is picked
    assert not page.detail.error.isVisible()
