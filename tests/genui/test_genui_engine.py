"""Generative-UI turns run in the agent engine: in this process's threads ("local") or, as in the app,
in the engine's child ("process", where the GUI process's own model refuses every call)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent_core.chat.agent import AgentEvent
from agent_core.genui.run import ToolCallEvent
from agent_core.genui.service import GenUITurnService
from agent_core.lab import Lab
from agent_core.runtime.engine import LocalEngine, ProcessEngine, Service
from agent_core.simulator import SimConfig
from labkit import PageLabs, make_settings, refuse
from ui_patterns.common import LabContext
from ui_patterns.genui.base import ComponentState
from ui_patterns.genui.cards import WeatherCard
from ui_patterns.genui.interactive import FormCard
from ui_patterns.genui.page import GenUIPage

MakePage = Callable[..., GenUIPage]


@pytest.fixture(params=["local", "process"])
def make_page(request, qtbot: QtBot, tmp_path: Path) -> Iterator[MakePage]:  # noqa: ANN001
    labs = PageLabs(qtbot, tmp_path, request.param)

    def guard(lab: Lab) -> None:  # the model: never here
        lab.llm.stream = lab.llm.complete = refuse  # type: ignore[method-assign]

    def build(ctx: LabContext) -> GenUIPage:
        ctx.set_profile("ada")
        page = GenUIPage(ctx)
        page.memory_mode, page.chunk_delay = "off", 0.0
        return page

    def make(sim: SimConfig | None = None) -> GenUIPage:
        settings = make_settings(sim=sim or SimConfig.instant())
        settings.provider.max_retries = 0
        return labs.open(settings, build, (1100, 800), guard)

    yield make
    labs.close()


def _ask(qtbot: QtBot, page: GenUIPage, text: str) -> None:
    assert page.ask(text)
    assert page.running and not page.input.isEnabled()
    qtbot.waitUntil(lambda: not page.running, timeout=20_000)


def test_a_component_streams_in_from_the_engine(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    seen: list[ToolCallEvent] = []
    page.runner.turn_event.connect(lambda ev: isinstance(ev, ToolCallEvent) and seen.append(ev))
    _ask(qtbot, page, "What's the weather in Lisbon?")
    [call] = page.calls()
    card = call.host().component()
    assert isinstance(card, WeatherCard) and card.state() == ComponentState.COMPLETE
    assert card.args()["location"] == "Lisbon"
    lengths = [len(ev.text) for ev in seen]
    assert len(lengths) >= 3 and lengths == sorted(lengths) and [ev.done for ev in seen][-1]
    assert any("Lisbon" in line for line in page.transcript())
    assert page.input.isEnabled()


def test_a_form_pauses_the_run_and_its_answer_is_a_follow_up_turn(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    _ask(qtbot, page, "Book a table for 4 at a tapas bar")
    form = next(c for c in page.calls() if c.tool_name == "ask_form").host().component()
    assert isinstance(form, FormCard) and form.state() == ComponentState.WAITING
    assert not page.input.isEnabled() and not page.ask("something else")
    inputs = {str(f.get("name")): w for f, w, _ in form._fields}  # noqa: SLF001 - drive the real inputs
    inputs["name"].setText("Ada")
    inputs["guests"].setText("4")
    inputs["time"].setCurrentText("20:00")
    form.submit()
    qtbot.waitUntil(lambda: any(t.startswith("Booked") for t in page.transcript()), timeout=20_000)
    qtbot.waitUntil(lambda: not page.running, timeout=20_000)
    reply = next(t for t in page.transcript() if t.startswith("Booked"))
    assert "Ada" in reply and "20:00" in reply and page.input.isEnabled()


def test_an_a2ui_action_goes_back_to_the_agent(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page()
    _ask(qtbot, page, "Book a table with A2UI")
    [view] = page.a2ui_calls()[0].surfaces()
    cancel = view.part("cancel")
    assert cancel is not None
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Okay, nothing booked." in page.transcript(), timeout=20_000)
    qtbot.waitUntil(lambda: not page.running, timeout=20_000)
    assert view.surface.deleted


def test_stop_keeps_what_streamed(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(SimConfig(ttft_ms=0.0, tokens_per_s=10.0))
    assert page.ask("What's the weather in Lisbon?")

    def replies() -> list[str]:
        return [b.source() for b in page.bubbles() if b.kind == "agent" and b.source()]

    qtbot.waitUntil(lambda: len(replies()) == 2, timeout=20_000)  # the reply after the card streams
    page.stop()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    [call] = page.calls()
    assert call.host().state() == ComponentState.COMPLETE
    [*_, last] = page.ctx.lab.conversations.messages(page.conversation_id or "")
    assert last.role == "assistant" and last.status == "stopped" and last.content == replies()[-1]
    assert page.input.isEnabled()


def test_a_failed_turn_shows_an_error_and_frees_the_composer(
    qtbot: QtBot, make_page: MakePage, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page(SimConfig(ttft_ms=5_000.0, tokens_per_s=0.0))
    engine = page.ctx.engine
    if isinstance(engine, ProcessEngine):  # the child dies mid-turn (its first event is in)
        events: list[object] = []
        page.runner.turn_event.connect(events.append)
        assert page.ask("What's the weather in Lisbon?")
        qtbot.waitUntil(lambda: bool(events), timeout=20_000)
        assert engine._proc is not None  # noqa: SLF001
        os.kill(engine._proc.pid, 9)  # type: ignore[arg-type]  # noqa: SLF001
        expected = "stopped unexpectedly"
    else:

        def run_turn(*_args: object) -> None:  # the caller names the method it calls
            raise RuntimeError("the model exploded")

        monkeypatch.setattr(GenUITurnService, "run_turn", run_turn)
        assert page.ask("What's the weather in Lisbon?")
        expected = "RuntimeError: the model exploded"
    qtbot.waitUntil(lambda: not page.running, timeout=20_000)
    errors = [b.source() for b in page.bubbles() if b.kind == "error"]
    assert len(errors) == 1 and expected in errors[0], errors
    assert page.input.isEnabled()


def test_every_event_of_a_turn_survives_the_pipe(lab: Lab) -> None:
    """The service's events cross the engine's pipe, so each must pickle to an equal value."""
    events: list[object] = []
    engine = LocalEngine(lab)
    engine.listeners.append(lambda kind, payload: kind == "genui" and events.append(payload))
    try:
        turns = Service.open(engine, "genui", GenUITurnService, "genui")
        turns.opened.result(timeout=5)
        conversation = lab.conversations.create("ada", "Generative UI")
        options = {"memory_mode": "off", "chunk_delay": 0.0}
        run = turns.call(
            GenUITurnService.run_turn,
            "k1",
            "ada",
            conversation.id,
            "Plot my weekly steps",
            options,
            lane="genui",
        )
        run.result(timeout=20)
    finally:
        engine.close()
    assert {key for key, _ in events} == {"k1"}  # type: ignore[misc]
    kinds = [ev.kind if isinstance(ev, AgentEvent) else "tool" for _, ev in events]  # type: ignore[misc]
    assert "tool" in kinds and kinds[-1] == "done"
    for _, event in events:  # type: ignore[misc]
        copy = pickle.loads(pickle.dumps(event))
        assert type(copy) is type(event)
        if isinstance(event, ToolCallEvent):
            assert copy == event
