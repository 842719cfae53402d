"""An AG-UI recording replays in the chat page as streamed turns, and stays as a conversation."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from agent_core.agui.events import run_events, to_jsonl
from agent_core.chat.agent import ChatAgent
from tests.chat.conftest import MakePage

FOREIGN = [  # a LangGraph-style stream: the user's message in the input, a tool call, a reply
    {"type": "RUN_STARTED", "threadId": "t1", "runId": "r1",
     "input": {"messages": [{"id": "u1", "role": "user", "content": "天气怎么样？ What's the weather in Lisbon?"}]}},
    {"type": "TOOL_CALL_START", "toolCallId": "c1", "toolCallName": "get_weather"},
    {"type": "TOOL_CALL_ARGS", "toolCallId": "c1", "delta": '{"city": "Lisbon"}'},
    {"type": "TOOL_CALL_END", "toolCallId": "c1"},
    {"type": "TOOL_CALL_RESULT", "messageId": "m0", "toolCallId": "c1", "content": '{"temp": 21}'},
    {"type": "TEXT_MESSAGE_START", "messageId": "m1", "role": "assistant"},
    {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "It is 21 °C in Lisbon, "},
    {"type": "TEXT_MESSAGE_CONTENT", "messageId": "m1", "delta": "sunny."},
    {"type": "TEXT_MESSAGE_END", "messageId": "m1"},
    {"type": "RUN_FINISHED", "threadId": "t1", "runId": "r1"},
    {"type": "RUN_STARTED", "threadId": "t1", "runId": "r2",
     "input": {"messages": [{"id": "u2", "role": "user", "content": "And tomorrow?"}]}},
    {"type": "RUN_ERROR", "message": "rate limited (429)"},
]  # fmt: skip


def _replay(qtbot: QtBot, page, path: Path) -> object:  # noqa: ANN001
    with qtbot.waitSignal(page.replay_finished, timeout=15_000) as blocker:
        page.replay_recording(path)
    return blocker.args[0]


def test_a_foreign_recording_streams_as_turns_and_stays(
    qtbot: QtBot, make_page: MakePage, tmp_path: Path
) -> None:
    page = make_page(memory_mode="off")
    path = tmp_path / "langgraph.jsonl"
    path.write_text(to_jsonl(FOREIGN), encoding="utf-8")
    with qtbot.waitSignal(page.replay_finished, timeout=15_000) as blocker:
        page.replay_recording(path)
        qtbot.waitUntil(lambda: page.player is not None and page.player.playing, timeout=5_000)
        assert not page.replay_button.isEnabled()  # one replay at a time
    player = blocker.args[0]
    first, second = player.turns
    assert (
        first.user_bubble.text().startswith("天气怎么样？")
        and first.assistant_text() == "It is 21 °C in Lisbon, sunny."
    )
    tools = [r.toggle_button.text() for r in first.steps.rows.values()]
    assert "tool get_weather · done" in tools, tools
    assert first.footer.text() == "replayed from an AG-UI recording"
    assert second.status == "error" and "rate limited (429)" in second.status_label.text()
    assert "Replayed 2 turns" in page.replay_note.text() and page.replay_button.isEnabled()
    # it is a conversation now: listed, persisted, and the agent can carry on from it
    msgs = page.ctx.lab.conversations.messages(page.current_conversation_id)
    assert [m.role for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[1].content == "It is 21 °C in Lisbon, sunny." and msgs[3].status == "error"
    assert page.ctx.lab.conversations.get(page.current_conversation_id).title == "Replay: langgraph.jsonl"


def test_our_own_export_replays_with_its_memory_steps(
    qtbot: QtBot, make_page: MakePage, tmp_path: Path
) -> None:
    page = make_page(memory_mode="hot_path")
    lab = page.ctx.lab
    conv = lab.conversations.create("default").id
    turn = ChatAgent(lab, memory_mode="hot_path").turn(conv, "My name is Ada and I live in Paris.")
    path = tmp_path / "run.agui.jsonl"
    path.write_text(to_jsonl(run_events(lab.engine, turn.run_id)), encoding="utf-8")
    player = _replay(qtbot, page, path)
    (played,) = player.turns
    assert played.assistant_text() == turn.reply
    titles = [r.toggle_button.text() for r in played.steps.rows.values()]
    assert any(t.startswith("saved to memory") and "Lives in Paris" in t for t in titles), titles


def test_stop_plays_the_rest_at_once(qtbot: QtBot, make_page: MakePage, tmp_path: Path) -> None:
    page = make_page(memory_mode="off")
    long = [dict(e) for e in FOREIGN[:10]]
    long[6] = {**long[6], "delta": "word " * 400}
    path = tmp_path / "long.jsonl"
    path.write_text(to_jsonl(long), encoding="utf-8")
    with qtbot.waitSignal(page.replay_finished, timeout=15_000) as blocker:
        page.replay_recording(path)
        qtbot.waitUntil(lambda: page.player is not None and page.player.playing, timeout=5_000)
        page.stop()
    (played,) = blocker.args[0].turns
    assert played.assistant_text().count("word") == 400 and played.status == "complete"


def test_a_bad_recording_is_refused_and_nothing_is_filed(
    qtbot: QtBot, make_page: MakePage, tmp_path: Path
) -> None:
    page = make_page(memory_mode="off")
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"type": "RUN_STARTED"}) + "\n{oops\n", encoding="utf-8")
    before = page.conversations.rowCount()
    message = _replay(qtbot, page, path)
    assert isinstance(message, str) and "line 2" in message
    assert "Could not replay" in page.replay_note.text() and page.replay_note.property("role") == "error"
    assert page.conversations.rowCount() == before and page.replay_button.isEnabled()
