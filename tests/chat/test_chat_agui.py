"""The chat page talking to an AG-UI agent: our own serve-agui over another lab, and a scripted one
(tool calls, an interrupt the next message answers, an endpoint that fails)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from agent_core.cli.agui import make_server
from agent_core.lab import Lab
from labkit import make_settings
from tests.chat.conftest import MakePage, send_and_wait
from tests.standards.fake_agui import FakeAgui, Status, run, text


@pytest.fixture
def serve_agui(tmp_path: Path) -> Iterator[str]:
    """`serve-agui` over a lab of its own (hot-path memory): the URL."""
    lab = Lab(tmp_path / "server", make_settings())
    lab.warm_up()
    server = make_server(lab, 0, "hot_path")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    lab.close()


@pytest.fixture
def fake() -> Iterator[FakeAgui]:
    with FakeAgui() as server:
        yield server


def _titles(turn) -> list[str]:  # noqa: ANN001
    return [r.toggle_button.text() for r in turn.steps.rows.values()]


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_the_chat_streams_a_remote_agents_turn_and_keeps_it(
    qtbot: QtBot, make_page: MakePage, serve_agui: str
) -> None:
    page = make_page(agent_source="agui", agui_url=serve_agui, memory_mode="off")
    assert page.agent_label.isVisible() and serve_agui in page.agent_label.text()
    result = send_and_wait(qtbot, page, "My name is Ada and I live in Lisbon.")
    (turn,) = page.turns()
    assert not result.error and turn.status == "complete"
    assert turn.assistant_text() == result.reply and result.reply
    titles = _titles(turn)
    assert any(t.startswith("saved to memory") and "Lives in Lisbon" in t for t in titles), titles
    assert "TTFT" in turn.footer.text()
    second = send_and_wait(qtbot, page, "Where do I live?")
    assert "Lisbon" in second.reply  # the remote agent's memory answered
    msgs = page.ctx.lab.conversations.messages(page.current_conversation_id)
    assert [m.content for m in msgs] == [
        "My name is Ada and I live in Lisbon.",
        result.reply,
        "Where do I live?",
        second.reply,
    ]
    page.open_conversation(page.new_conversation())
    page.open_conversation(msgs[0].conversation_id)  # history shows it, from the database
    assert [t.assistant_text() for t in page.turns()] == [result.reply, second.reply]


def test_tool_calls_show_and_an_interrupt_waits_for_the_next_message(
    qtbot: QtBot, make_page: MakePage, fake: FakeAgui
) -> None:
    page = make_page(agent_source="agui", agui_url=fake.url, memory_mode="off")
    tool = [
        {"type": "TOOL_CALL_START", "toolCallId": "c1", "toolCallName": "find_tables"},
        {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '{"guests": 2}'},
        {"type": "TOOL_CALL_END", "toolCallId": "c1"},
        {"type": "TOOL_CALL_RESULT", "messageId": "r", "toolCallId": "c1", "content": '["7pm", "9pm"]'},
    ]
    ask = {"id": "i1", "reason": "approval", "message": "Book the 7pm table?"}
    fake.script = run(*tool, *text("I found two tables."), outcome={"type": "interrupt", "interrupts": [ask]})
    send_and_wait(qtbot, page, "Book a table for 2")
    (turn,) = page.turns()
    titles = _titles(turn)
    assert "tool find_tables · " in " ".join(titles) and "the agent asks: Book the 7pm table?" in titles
    assert turn.status == "waiting" and "waiting for your answer" in turn.status_label.text()
    assert turn.assistant_text() == "I found two tables."
    assert "resumes its run" in page.input.placeholderText()
    fake.script = run(*text("Booked for 7pm."), run_id="r2")
    send_and_wait(qtbot, page, "Yes, 7pm")
    (resume,) = fake.requests[-1]["resume"]
    assert resume == {"interruptId": "i1", "status": "resolved", "payload": "Yes, 7pm"}
    assert page.turns()[-1].status == "complete" and "resumes" not in page.input.placeholderText()


def test_a_failing_endpoint_shows_the_error_and_keeps_the_message(
    qtbot: QtBot, make_page: MakePage, fake: FakeAgui
) -> None:
    page = make_page(agent_source="agui", agui_url=fake.url, memory_mode="off")
    fake.script = Status(500, "upstream exploded")
    result = send_and_wait(qtbot, page, "Hello?")
    (turn,) = page.turns()
    assert turn.status == "error" and "HTTP 500" in turn.status_label.text() and turn.retry_button.isVisible()
    assert turn.user_bubble.text() == "Hello?" and "upstream exploded" in (result.error or "")
    fake.script = run(*text("Back again."))
    with qtbot.waitSignal(page.turn_settled, timeout=10_000):
        turn.retry_button.click()  # the same message, sent again
    assert turn.assistant_text() == "Back again." and turn.status == "complete"
    msgs = page.ctx.lab.conversations.messages(page.current_conversation_id)
    assert [m.content for m in msgs if m.role == "user"] == ["Hello?"]
