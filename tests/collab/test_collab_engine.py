"""Document actions run through the agent engine: in this process, or in its child as in the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from agent_core.collab.actions import split_sections
from agent_core.lab import Lab
from agent_core.simulator import SimConfig
from labkit import PageLabs, make_settings, refuse
from ui_patterns.collab.page import CollabPage

MakePage = Callable[..., CollabPage]


@pytest.fixture(params=["local", "process"])
def make_page(request, qtbot: QtBot, tmp_path: Path) -> Iterator[MakePage]:  # noqa: ANN001
    """A CollabPage over a fresh Lab whose simulator runs with `sim`; in the "process" variant the
    GUI process's own model refuses every call, so only the engine's child can have answered."""
    labs = PageLabs(qtbot, tmp_path, request.param)

    def guard(lab: Lab) -> None:  # the model, memory writes and commits: never here
        lab.llm.stream = lab.writer.write = lab.procedural.commit = refuse  # type: ignore[method-assign]

    def make(sim: SimConfig | None = None) -> CollabPage:
        settings = make_settings(sim=sim or SimConfig.instant())
        settings.provider.max_retries = 0
        return labs.open(settings, CollabPage, (1200, 800), guard)

    yield make
    labs.close()


def _wait_idle(qtbot: QtBot, page: CollabPage, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=timeout)
    page.refresh()


def test_a_suggestion_streams_in_from_the_engine(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(SimConfig(ttft_ms=0, tokens_per_s=200))
    lengths: list[int] = []
    run = page.run_action("fix_tone", page.section_target(0))
    assert run is not None and run.sid is not None
    page.doc.subscribe(lambda _ev: lengths.append(len(page.doc.suggestion(run.sid).replacement)))
    with qtbot.waitSignal(page.runner.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args == [run, ""]
    suggestion = page.doc.suggestion(run.sid)
    assert (
        suggestion.status == "pending" and not suggestion.streaming and "gonna" not in suggestion.replacement
    )
    assert len(set(lengths)) >= 5 and lengths == sorted(lengths)  # chunk by chunk, on the GUI thread
    assert page.suggestions.cards()[run.sid] and "Agent:" not in page.presence_label.text()


def test_direct_mode_and_a_conflict_rerun_through_the_engine(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    page.direct_box.setChecked(True)
    page.run_action("fix_tone", page.section_target(0))
    _wait_idle(qtbot, page)
    assert "gonna" not in page.doc.text and [s.author for s in page.doc.author_spans()] == ["writer"]
    page.direct_box.setChecked(False)
    run = page.run_action("rewrite", page.section_target(1))
    _wait_idle(qtbot, page)
    goals = split_sections(page.doc.text)[1]
    page.editor.setFocus()
    cursor = page.editor.textCursor()
    cursor.setPosition(goals.start + 10)
    page.editor.setTextCursor(cursor)
    qtbot.keyClicks(page.editor, "Q")
    assert page.doc.suggestion(run.sid).status == "conflicted"
    page.rerun(run.sid)
    _wait_idle(qtbot, page)
    assert page.doc.suggestion(run.sid).status == "pending" and "Q" in page.doc.suggestion(run.sid).original


def test_stop_ends_the_stream_and_keeps_the_partial_suggestion(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(SimConfig(ttft_ms=0, tokens_per_s=20))  # a few seconds of streaming
    run = page.run_action("rewrite", page.section_target(1))
    qtbot.waitUntil(lambda: page.doc.suggestion(run.sid).replacement != "", timeout=10_000)
    with qtbot.waitSignal(page.runner.finished, timeout=3_000) as blocker:
        page.runner.stop_all()
    assert blocker.args[1] == ""
    suggestion = page.doc.suggestion(run.sid)
    assert suggestion.is_open and not suggestion.streaming
    assert len(suggestion.replacement.split()) < len(suggestion.original.split())  # cut short


def test_a_model_error_is_shown_and_offers_nothing(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(SimConfig(ttft_ms=0, tokens_per_s=0, error_rate=1.0))
    run = page.run_action("summarise", page.section_target(2))
    _wait_idle(qtbot, page)
    assert "LLMError" in page.status.text() and run.target.label in page.status.text()
    assert not page.doc.suggestions(open_only=True) and not page.suggestions.cards()


def test_reviews_teach_rules_and_facts_stored_by_the_engine(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    page.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(page.editor, "Ok guys, we asked Marisol, then Marisol said yes; later Marisol left.")
    runs = [page.run_action("fix_tone", page.section_target(i)) for i in (0, 2)]
    _wait_idle(qtbot, page)
    for run in runs:
        page.accept(run.sid)
    qtbot.waitUntil(lambda: page.learner.committed is not None, timeout=20_000)
    lab, profile = page.ctx.lab, page.ctx.profile
    text = lab.procedural.current(profile, "writer").text
    assert "Prefer a formal tone." in text and all(run.sid in text for run in runs)
    qtbot.waitUntil(lambda: any("Marisol" in m.content for m in lab.store.list(profile)), timeout=20_000)
    assert not any("failed" in t for t in page.learner.fact_texts)
