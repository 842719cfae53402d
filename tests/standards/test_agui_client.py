"""An AG-UI endpoint as the chat's agent: the lab's chat talks to our own `serve-agui` (round trip)
and to a scripted endpoint (tool calls, state, interrupts, and every way the remote can fail)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_core.agui.agent import UNFINISHED, AguiAgent
from agent_core.agui.client import sse_data
from agent_core.chat.agent import AgentEvent, TurnResult, chat_agent
from agent_core.cli.agui import make_server
from agent_core.lab import Lab
from agent_core.runtime.runs import load_run
from labkit import make_settings
from tests.standards.fake_agui import FakeAgui, Status, run, text


@pytest.fixture
def client_lab(tmp_path: Path) -> Iterator[Lab]:
    """The lab whose chat talks to a remote AG-UI agent (its url set per test)."""
    lab = Lab(tmp_path / "client", make_settings(agent_source="agui", memory_mode="off"))
    lab.warm_up()
    yield lab
    lab.close()


@pytest.fixture
def fake() -> Iterator[FakeAgui]:
    with FakeAgui() as server:
        yield server


def _turn(lab: Lab, url: str, said: str, conv: str | None = None) -> tuple[TurnResult, str, list[AgentEvent]]:
    lab.settings.agui_url = url
    conv = conv or lab.conversations.create("p").id
    agent = chat_agent(lab, "p")
    assert isinstance(agent, AguiAgent)
    events = list(agent.run_turn(conv, said, stream=True))
    done = events[-1]
    assert done.kind == "done"
    return done.data["result"], done.data["status"], events


def test_round_trip_through_our_own_serve_agui(lab: Lab, client_lab: Lab) -> None:
    server = make_server(lab, 0, "hot_path")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        first, status, events = _turn(client_lab, url, "My name is Ada and I live in Lisbon.")
        conv = client_lab.conversations.list("p")[0].id
        second, _, _ = _turn(client_lab, url, "Where do I live?", conv)
    finally:
        server.shutdown()
        server.server_close()
    assert status == "complete" and not first.error and first.reply
    tokens = "".join(e.data["text"] for e in events if e.kind == "token")
    assert tokens == first.reply and len([e for e in events if e.kind == "token"]) > 1  # streamed
    saved = [e.data for e in events if e.kind == "saved"]
    assert any("Lives in Lisbon" in str(s.get("added")) for s in saved), saved
    assert "Lisbon" in second.reply  # the remote agent remembered, across turns of one thread
    # stored like any chat turn: the conversation has both turns, each reply with its traced run
    msgs = client_lab.conversations.messages(conv)
    assert [(m.role, m.content) for m in msgs] == [
        ("user", "My name is Ada and I live in Lisbon."),
        ("assistant", first.reply),
        ("user", "Where do I live?"),
        ("assistant", second.reply),
    ]
    run_, steps = load_run(client_lab.engine, first.run_id)  # type: ignore[misc]
    assert (run_.agent, run_.status, run_.conversation_id) == ("agui", "done", conv)
    kinds = [s.kind for s in steps]
    assert kinds[:2] == ["human_input", "llm_call"] and {"memory_read", "memory_write"} <= set(kinds)
    assert steps[1].output == {"content": first.reply}
    # the second run started from the state the first left (the facts the agent had in view)
    (_, later) = load_run(client_lab.engine, second.run_id)  # type: ignore[misc]
    sent = next(s for s in later if s.kind == "llm_call").input["input"]  # type: ignore[index]
    assert "Lives in Lisbon" in sent["state"]["memory"]["facts"].values()
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]


def test_tool_calls_are_steps_and_state_carries_to_the_next_run(client_lab: Lab, fake: FakeAgui) -> None:
    fake.script = run(
        {"type": "STATE_SNAPSHOT", "snapshot": {"city": "Oslo", "visits": 1}},
        {"type": "TOOL_CALL_START", "toolCallId": "c1", "toolCallName": "get_weather"},
        {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '{"city": '},
        {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '"Oslo"}'},
        {"type": "TOOL_CALL_END", "toolCallId": "c1"},
        {"type": "TOOL_CALL_RESULT", "messageId": "r1", "toolCallId": "c1", "content": "4°C, rain"},
        *text("Bring an umbrella: 4°C and rain."),
        {"type": "STATE_DELTA", "delta": [{"op": "replace", "path": "/visits", "value": 2}]},
        {"type": "FUTURE_EVENT_TYPE", "anything": 1},  # newer than our types: skipped
    )
    result, status, _ = _turn(client_lab, fake.url, "Weather in Oslo?")
    assert status == "complete" and result.reply == "Bring an umbrella: 4°C and rain."
    _, steps = load_run(client_lab.engine, result.run_id)  # type: ignore[misc]
    (tool,) = [s for s in steps if s.kind == "tool_call"]
    assert (tool.name, tool.input, tool.output, tool.status) == (
        "get_weather",
        {"arguments": '{"city": "Oslo"}'},
        "4°C, rain",
        "done",
    )
    fake.script = run(*text("Again?"))
    _turn(client_lab, fake.url, "And now?", client_lab.conversations.list("p")[0].id)
    sent = fake.requests[-1]
    assert sent["state"] == {"city": "Oslo", "visits": 2}
    assert sent["threadId"] == client_lab.conversations.list("p")[0].id
    assert [m["content"] for m in sent["messages"]] == ["Weather in Oslo?", result.reply, "And now?"]
    assert sent["forwardedProps"]["profile"] == "p" and sent["runId"] != result.run_id


def test_an_interrupt_is_the_agent_asking_and_the_next_message_resumes(
    client_lab: Lab, fake: FakeAgui
) -> None:
    ask = {"id": "int-1", "reason": "approval", "message": "Book the 7pm table for 2?"}
    fake.script = run(outcome={"type": "interrupt", "interrupts": [ask]})
    result, status, events = _turn(client_lab, fake.url, "Book me a table.")
    assert status == "waiting" and result.reply == "Book the 7pm table for 2?"
    (asked,) = [e.data for e in events if e.kind == "interrupt"]
    assert asked["text"] == "Book the 7pm table for 2?"
    run_, _ = load_run(client_lab.engine, result.run_id)  # type: ignore[misc]
    assert run_.status == "waiting"
    conv = client_lab.conversations.list("p")[0].id
    assert client_lab.conversations.messages(conv)[-1].content == "Book the 7pm table for 2?"

    fake.script = run(*text("Booked: 7pm, 2 people."), run_id="r2")
    resumed, status, _ = _turn(client_lab, fake.url, "Yes please", conv)
    assert status == "complete" and resumed.reply == "Booked: 7pm, 2 people."
    assert fake.requests[-1]["resume"] == [
        {"interruptId": "int-1", "status": "resolved", "payload": "Yes please"}
    ]
    assert load_run(client_lab.engine, result.run_id)[0].status == "done"  # type: ignore[index]
    fake.script = run(*text("Anything else?"), run_id="r3")
    _turn(client_lab, fake.url, "Thanks", conv)
    assert "resume" not in fake.requests[-1]  # answered once


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (Status(500, "upstream exploded"), "answered HTTP 500 Internal Server Error: upstream exploded"),
        (Status(200, "<html>hi</html>", "text/html"), "answered text/html, not an event stream"),
        (
            'data: {"type": "RUN_STARTED", "threadId": "t", "runId": "r"}\n\ndata: {oops\n\n',
            "event 2 of the stream is not JSON",
        ),
        (
            'data: {"type": "TEXT_MESSAGE_CONTENT", "delta": "x"}\n\n',
            "event 1 of the stream is not an AG-UI event",
        ),
        (
            run({"type": "RUN_ERROR", "message": "rate limited (429)"})[:-1],
            "the AG-UI agent's run failed: rate limited (429)",
        ),
        (run(*text("Half a"))[:-1], UNFINISHED),
    ],
)
def test_a_failing_endpoint_is_a_clear_error_and_the_message_stays(
    client_lab: Lab, fake: FakeAgui, script: object, message: str
) -> None:
    fake.script = script  # type: ignore[assignment]
    result, status, events = _turn(client_lab, fake.url, "Hello there")
    assert status == "error" and message in (result.error or ""), result.error
    assert [e.data["message"] for e in events if e.kind == "error"] == [result.error]
    conv = client_lab.conversations.list("p")[0].id
    msgs = client_lab.conversations.messages(conv)
    assert [(m.role, m.status) for m in msgs] == [("user", "complete"), ("assistant", "error")]
    assert msgs[0].content == "Hello there" and msgs[1].error == result.error
    assert load_run(client_lab.engine, result.run_id)[0].status == "error"  # type: ignore[index]


def test_nothing_listening_and_a_silent_agent_are_clear_errors(client_lab: Lab, fake: FakeAgui) -> None:
    result, status, _ = _turn(client_lab, f"http://127.0.0.1:{_free_port()}/", "Hi")
    assert status == "error" and "cannot reach the AG-UI agent at http://127.0.0.1:" in (result.error or "")
    assert "is it running?" in (result.error or "")
    client_lab.settings.provider.timeout_s = 0.3
    fake.script, fake.delay_s = run(*text("too late")), 1.5
    result, status, _ = _turn(client_lab, fake.url, "Hi")
    assert status == "error" and "sent nothing for 0.3 s (timed out)" in (result.error or ""), result.error


def test_sse_framing() -> None:
    lines = [": a comment", "event: message", "data: {", "data:  1}", "id: 7", "", "", "data: 2"]
    assert list(sse_data(lines)) == ["{\n 1}", "2"]
