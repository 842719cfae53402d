"""AG-UI out and in: every event validates against the official `ag-ui-protocol` types, a
recorded run round-trips (export → import) with no step lost, foreign recordings import, and
`serve-agui` streams a live turn as AG-UI Server-Sent Events."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from ag_ui.core import Event
from pydantic import TypeAdapter

from agent_core.agui import events as agui
from agent_core.chat.agent import ChatAgent
from agent_core.runtime.runs import load_run

EVENT = TypeAdapter(Event)


def _valid(events: list[dict]) -> list[str]:
    return [EVENT.validate_python(e).type.value for e in events]


def _turn(lab, mode: str = "hot_path") -> str:  # noqa: ANN001
    agent = ChatAgent(lab, "p", memory_mode=mode)
    result = agent.turn(lab.conversations.create("p").id, "My name is Ada and I live in Lisbon.")
    assert not result.error
    return result.run_id


def test_a_recorded_turn_is_a_valid_agui_stream(lab) -> None:  # noqa: ANN001
    events = agui.run_events(lab.engine, _turn(lab))
    types = _valid(events)
    assert types[0] == "RUN_STARTED" and types[-1] == "RUN_FINISHED"
    assert {
        "STEP_STARTED",
        "STEP_FINISHED",
        "TEXT_MESSAGE_CONTENT",
        "TOOL_CALL_START",
        "TOOL_CALL_RESULT",
    } <= set(types)
    names = {e["name"] for e in events if e["type"] == "CUSTOM"}
    assert {agui.MEMORY_READ, agui.MEMORY_WRITE, agui.STEP} <= names
    written = next(e["value"] for e in events if e.get("name") == agui.MEMORY_WRITE)
    assert "Lives in Lisbon" in json.dumps(written)


def test_export_then_import_loses_no_step(lab, tmp_path: Path) -> None:  # noqa: ANN001
    run_id = _turn(lab)
    path = tmp_path / "run.jsonl"
    path.write_text(agui.to_jsonl(agui.run_events(lab.engine, run_id)), encoding="utf-8")
    new_id = agui.import_events(lab.engine, agui.read_jsonl(path.read_text(encoding="utf-8")))
    (old_run, old), (new_run, new) = load_run(lab.engine, run_id), load_run(lab.engine, new_id)  # type: ignore[misc]

    def fields(s):  # noqa: ANN001, ANN202
        return (s.seq, s.kind, s.name, s.status, s.input, s.output, s.prompt_tokens, s.completion_tokens)

    assert [fields(s) for s in new] == [fields(s) for s in old] and len(new) >= 4
    assert (new_run.kind, new_run.title) == (old_run.kind, old_run.title)
    # and the re-export of the import is the same stream, event for event (ids aside)
    strip = lambda evs: [{k: v for k, v in e.items() if not k.endswith("Id")} for e in evs]  # noqa: E731
    assert (
        strip(agui.run_events(lab.engine, new_id))[1:-1] == strip(agui.run_events(lab.engine, run_id))[1:-1]
    )


def test_a_foreign_recording_becomes_a_run_with_its_messages_and_tools(lab) -> None:  # noqa: ANN001
    recording = [
        {"type": "RUN_STARTED", "threadId": "t1", "runId": "lg-1"},
        {"type": "STEP_STARTED", "stepName": "agent"},
        {"type": "TOOL_CALL_START", "toolCallId": "c1", "toolCallName": "get_weather"},
        {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '{"city": '},
        {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '"Oslo"}'},
        {"type": "TOOL_CALL_END", "toolCallId": "c1"},
        {"type": "TOOL_CALL_RESULT", "messageId": "r1", "toolCallId": "c1", "content": "4°C, rain"},
        {"type": "TEXT_MESSAGE_START", "messageId": "m1", "role": "assistant"},
        {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "Bring an umbrella: "},
        {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "4°C and rain."},
        {"type": "TEXT_MESSAGE_END", "messageId": "m1"},
        {"type": "STATE_SNAPSHOT", "snapshot": {"city": "Oslo"}},
        {"type": "STEP_FINISHED", "stepName": "agent"},
        {"type": "RUN_FINISHED", "threadId": "t1", "runId": "lg-1"},
    ]
    _valid(recording)
    run_id = agui.import_events(lab.engine, agui.read_jsonl(agui.to_jsonl(recording)))
    run, steps = load_run(lab.engine, run_id)  # type: ignore[misc]
    assert run.kind == "agui" and run.status == "done"
    assert [(s.kind, s.name) for s in steps] == [
        ("tool_call", "get_weather"),
        ("llm_call", "message"),
        ("note", "state_snapshot"),
    ]
    assert steps[0].input == {"arguments": '{"city": "Oslo"}'} and steps[0].output == "4°C, rain"
    assert steps[1].output == {"content": "Bring an umbrella: 4°C and rain."}


def test_a_bad_recording_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="line 2: not JSON"):
        agui.read_jsonl('{"type": "RUN_STARTED"}\n{oops\n')
    with pytest.raises(ValueError, match="line 1: an AG-UI event"):
        agui.read_jsonl("[1, 2]\n")


def test_serve_agui_streams_a_live_turn(lab) -> None:  # noqa: ANN001
    from agent_core.cli.agui import make_server

    server = make_server(lab, 0, "hot_path")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        body = {
            "threadId": "t",
            "runId": "r",
            "messages": [{"id": "u1", "role": "user", "content": "I live in Oslo."}],
        }
        with httpx.stream("POST", url, json=body, timeout=30) as response:
            assert response.headers["content-type"] == "text/event-stream"
            events = agui.read_jsonl(response.read().decode())
        types = _valid(events)
        assert types[:2] == ["RUN_STARTED", "STATE_SNAPSHOT"]
        assert types[-2:] == ["MESSAGES_SNAPSHOT", "RUN_FINISHED"]
        assert {"TEXT_MESSAGE_CONTENT", "TOOL_CALL_START", "TOOL_CALL_RESULT", "STATE_DELTA"} <= set(types)
        assert any(e.get("name") == agui.MEMORY_WRITE for e in events)
        # the state, as a client applying the deltas holds it, is the fact saved on the hot path
        state = events[1]["snapshot"]
        for e in events:
            if e["type"] == "STATE_DELTA":
                state = _apply(state, e["delta"])
        assert list(state["memory"]["facts"].values()) == ["Lives in Oslo"]
        (msgs,) = [e["messages"] for e in events if e["type"] == "MESSAGES_SNAPSHOT"]
        assert [m["role"] for m in msgs] == ["user", "assistant"] and msgs[0]["content"] == "I live in Oslo."
        reply = "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")
        assert msgs[1]["content"] == reply
        # every text message and tool call is closed, and no tool call opens inside a message
        open_text = False
        for e in events:
            assert not (open_text and e["type"] == "TOOL_CALL_START"), "a tool call inside a text message"
            open_text = {"TEXT_MESSAGE_START": True, "TEXT_MESSAGE_END": False}.get(e["type"], open_text)
        assert not open_text
        assert httpx.post(url, json={"messages": []}, timeout=10).status_code == 400
    finally:
        server.shutdown()
        server.server_close()


def _apply(state: dict, ops: list[dict]) -> dict:
    """RFC 6902 add/remove on object paths (all MemoryState emits), strictly: a remove must exist."""
    for op in ops:
        *parents, key = op["path"].lstrip("/").split("/")
        node = state
        for p in parents:
            node = node[p]
        if op["op"] == "add":
            node[key] = op["value"]
        else:
            assert op["op"] == "remove" and key in node, op
            del node[key]
    return state


def test_memory_is_shared_state_and_the_turn_a_messages_snapshot(lab) -> None:  # noqa: ANN001
    agent = ChatAgent(lab, "p", memory_mode="hot_path")
    conv = lab.conversations.create("p").id
    agent.turn(conv, "I live in Lisbon.")
    second = agent.turn(conv, "I moved to Berlin.")
    events = agui.run_events(lab.engine, second.run_id)
    _valid(events)  # STATE_SNAPSHOT, STATE_DELTA and MESSAGES_SNAPSHOT validate too
    (snap,) = [e for e in events if e["type"] == "STATE_SNAPSHOT"]
    state = snap["snapshot"]
    for e in events:
        if e["type"] == "STATE_DELTA":
            state = _apply(state, e["delta"])
    facts = list(state["memory"]["facts"].values())
    assert "Lives in Berlin" in facts and "Lives in Lisbon" not in facts  # recalled, then replaced
    (msgs,) = [e["messages"] for e in events if e["type"] == "MESSAGES_SNAPSHOT"]
    assert (
        [(m["role"], m["content"][:10]) for m in msgs][:3]
        == [
            ("user", "I live in "),
            ("assistant", msgs[1]["content"][:10]),
            ("user", "I moved to"),
        ]
        and msgs[-1]["role"] == "assistant"
        and msgs[-1]["content"] == second.reply
    )
