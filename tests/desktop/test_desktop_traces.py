"""The trace viewer over real runs from the chat agent: live updates, nesting of background memory
under its turn, the waterfall, loading off the GUI thread, and scrubbed export."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from sqlmodel import Session

from agent_core.chat.agent import ChatAgent
from agent_core.runtime.runs import Run, Step
from desktop.traces import EMPTY_RUNS, LOADING_RUNS, TIMELINE_COLUMN, TraceViewer
from desktop.traces_model import LatencyRole, OffsetRole
from memory.clock import utcnow
from ui_patterns.common import StallProbe

SECRET = "sk-live-TraceKey0123456789"


@pytest.fixture
def viewer(qtbot, ctx) -> TraceViewer:  # noqa: ANN001
    page = TraceViewer(ctx)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1000, 600)
    page.show()
    wait_loaded(qtbot, page)
    return page


def wait_loaded(qtbot, page: TraceViewer) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not page.loading, timeout=5000)


def reload(qtbot, page: TraceViewer) -> None:  # noqa: ANN001
    page.refresh()
    wait_loaded(qtbot, page)


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
    viewer.select_run(result.run_id)
    wait_loaded(qtbot, viewer)
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
    reload(qtbot, viewer)
    assert viewer.runs_model.rowCount() >= 1
    viewer.kind_filter.setCurrentIndex(viewer.kind_filter.findData("collab"))
    wait_loaded(qtbot, viewer)
    assert viewer.runs_model.rowCount() == 0
    viewer.kind_filter.setCurrentIndex(viewer.kind_filter.findData("chat"))
    wait_loaded(qtbot, viewer)
    assert viewer.runs_model.rowCount() == 1


def test_focus_latest_selects_the_recall(qtbot, viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    ChatAgent(lab).turn(lab.conversations.create("default").id, "My name is Ada")
    viewer.refresh()
    viewer.focus_latest()  # asked while the list is still loading: done once it (and its steps) arrive
    wait_loaded(qtbot, viewer)
    assert json.loads(viewer.details.toPlainText())["kind"] == "memory_read"
    assert "Recalled" in viewer.summary.text()


def test_background_memory_runs_nest_under_their_turn(qtbot, viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    agent = ChatAgent(lab, memory_mode="background")
    conv = lab.conversations.create("default").id
    first = agent.turn(conv, "My name is Ada and I live in Paris.")
    assert lab.background.flush(10)
    second = agent.turn(conv, "I work as a nurse.")
    assert lab.background.flush(10)
    reload(qtbot, viewer)
    model = viewer.runs_model
    top = [model.run_at(r) for r in range(model.rowCount())]
    assert [r.id for r in top] == [second.run_id, first.run_id]  # no memory run at the top level
    for turn in (first, second):
        kids = model.children_of(turn.run_id)
        assert kids and all(k.kind == "memory" for k in kids)
        assert kids[0].title == "memory.extract"
    all_memory = {r.id for r in _runs(lab) if r.kind == "memory"}
    nested = {k.id for t in (first, second) for k in model.children_of(t.run_id)}
    assert nested == all_memory  # extraction and consolidation runs, each under its own turn
    parent = model.index_of(first.run_id)
    assert "+" in parent.data() and "background memory" in parent.data()
    child = model.index_of(model.children_of(first.run_id)[0].id)
    assert child.parent() == parent
    assert viewer.select_run(child.data(viewer_run_id_role()))
    wait_loaded(qtbot, viewer)
    assert viewer.run_list.isExpanded(parent)
    assert any(x.startswith("llm_call") for x in step_labels(viewer))


def viewer_run_id_role() -> int:
    from desktop.traces_model import RunId

    return RunId


def _runs(lab) -> list[Run]:  # noqa: ANN001
    from agent_core.runtime.runs import list_runs

    return list_runs(lab.engine, limit=1000)


def test_waterfall_has_a_bar_per_step(qtbot, viewer: TraceViewer, lab) -> None:  # noqa: ANN001
    result = ChatAgent(lab, memory_mode="hot_path").turn(
        lab.conversations.create("default").id, "I live in Rome"
    )
    reload(qtbot, viewer)
    viewer.select_run(result.run_id)
    wait_loaded(qtbot, viewer)
    tree = viewer.step_tree
    assert tree.headerItem().text(TIMELINE_COLUMN) == "Timeline"
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    offsets = [it.data(TIMELINE_COLUMN, OffsetRole) for it in items]
    latencies = [it.data(TIMELINE_COLUMN, LatencyRole) for it in items]
    assert None not in offsets and None not in latencies
    assert offsets == sorted(offsets) and offsets[0] >= 0  # steps in order of their start
    assert all(o + lat <= viewer.waterfall.span_ms + 1 for o, lat in zip(offsets, latencies, strict=True))
    assert "starts +" in items[-1].toolTip(TIMELINE_COLUMN)
    # and bars are painted: the column holds coloured pixels on every row
    image = tree.viewport().grab().toImage()
    x0 = tree.header().sectionViewportPosition(TIMELINE_COLUMN)
    width = tree.header().sectionSize(TIMELINE_COLUMN)
    llm = next(it for it in items if it.text(0).startswith("llm_call"))
    rect = tree.visualItemRect(llm)
    row_y = rect.center().y()
    colours = {image.pixelColor(QPoint(x, row_y)).name() for x in range(x0, x0 + width)}
    assert QColor("#4f5bd5").name() in colours  # the llm_call colour


def _bulk_runs(lab, n: int) -> None:  # noqa: ANN001
    """n finished chat runs with a few steps each, written in one transaction."""
    now = utcnow()
    with Session(lab.engine) as s:
        for i in range(n):
            t = now - timedelta(seconds=n - i)
            run = Run(kind="chat", title=f"turn {i}: what do you remember about me?", status="done")
            run.created_at, run.finished_at, run.latency_ms = t, t + timedelta(milliseconds=80), 80.0
            s.add(run)
            for seq, kind in enumerate(("human_input", "memory_read", "llm_call"), 1):
                s.add(Step(run_id=run.id, seq=seq, kind=kind, name=kind, status="done", started_at=t))
        s.commit()


@contextmanager
def busy_python_thread() -> Iterator[None]:
    """Another Python thread wanting the GIL, as the app's engine reader and memory workers do: with
    it, reading 200 runs on the GUI thread stalled it 320-370 ms (the freeze the review measured)."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(i * i for i in range(2000))

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_opening_traces_with_hundreds_of_runs_does_not_stall(qtbot, ctx, lab) -> None:  # noqa: ANN001
    _bulk_runs(lab, 300)
    probe = StallProbe(10)
    with busy_python_thread():
        probe.start()
        page = TraceViewer(ctx)
        qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
        page.resize(1000, 600)
        page.show()
        assert page.loading and page.runs_empty.text() == LOADING_RUNS  # a loading state, not a freeze
        qtbot.waitUntil(lambda: page.runs_model.rowCount() > 0 and not page.loading, timeout=10_000)
        qtbot.wait(150)  # the first paint of the filled list
        probe.stop()
    assert page.runs_model.rowCount() == 200 and "200 runs" in page.count_label.text()
    # Reading the runs on the GUI thread stalled it 320-370 ms; off it, the worst tick is the widget's
    # own construction and first paint (25-65 ms on 2 busy cores): the bound leaves room for noise.
    assert probe.max_stall_ms < 150, f"the GUI thread stalled {probe.max_stall_ms:.0f} ms"


def test_export_writes_json_without_the_api_key(qtbot, viewer: TraceViewer, lab, tmp_path: Path) -> None:  # noqa: ANN001
    s = lab.settings
    s.provider.api_key = SECRET
    lab.apply_settings(s)
    result = ChatAgent(lab).turn(lab.conversations.create("default").id, f"remember that my key is {SECRET}")
    reload(qtbot, viewer)
    assert viewer.select_run(result.run_id) and viewer.export_button.isEnabled()
    out = viewer.export_to(tmp_path / "run.json")
    text = out.read_text()
    data = json.loads(text)
    assert data["run"]["id"] == result.run_id and data["steps"]
    assert SECRET not in text
    assert SECRET not in (lab.data_dir / "settings.json").read_text()


def test_agui_export_then_import_replays_the_run(qtbot, viewer: TraceViewer, lab, tmp_path: Path) -> None:  # noqa: ANN001
    result = ChatAgent(lab).turn(lab.conversations.create("default").id, "My name is Ada")
    reload(qtbot, viewer)
    assert viewer.select_run(result.run_id)
    wait_loaded(qtbot, viewer)
    original = step_labels(viewer)
    out = viewer.export_agui_to(tmp_path / "run.agui.jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["type"] == "RUN_STARTED" and json.loads(lines[-1])["type"] == "RUN_FINISHED"
    viewer.import_agui(out)
    qtbot.waitUntil(lambda: "Imported run.agui.jsonl" in viewer.notice.text(), timeout=5000)
    qtbot.waitUntil(lambda: viewer.selected_run_id() not in (None, result.run_id), timeout=5000)
    wait_loaded(qtbot, viewer)
    assert step_labels(viewer) == original  # every step came back, in order


def test_a_bad_agui_recording_is_refused_with_its_line(qtbot, viewer: TraceViewer, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "RUN_STARTED", "threadId": "t", "runId": "r"}\nnot json\n', encoding="utf-8")
    before = viewer.runs_model.rowCount()
    viewer.import_agui(bad)
    qtbot.waitUntil(lambda: "Could not import bad.jsonl" in viewer.notice.text(), timeout=5000)
    assert "line 2" in viewer.notice.text() and viewer.notice.property("role") == "error"
    assert viewer.import_button.isEnabled() and viewer.runs_model.rowCount() == before
