"""The chat page end to end over a real Lab: streaming, stop, modes, feedback, branches, errors."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from agent_core.chat.agent import TurnResult
from agent_core.simulator import SimConfig
from tests.chat.conftest import SLOW, MakePage, send_and_wait


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_send_streams_tokens_and_shows_memory_steps(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(sim=SLOW, memory_mode="hot_path")
    assert page.transcript().empty.isVisible()
    lengths: list[int] = []
    with qtbot.waitSignal(page.turn_finished, timeout=10_000) as blocker:
        turn = page.send("My name is Ada and I live in Paris.")
        assert page.runner.running
        page.runner.event.connect(lambda _ev: lengths.append(len(turn.assistant_text())))
    result = blocker.args[0]
    assert isinstance(result, TurnResult) and not result.error
    assert len(set(lengths)) >= 5 and lengths == sorted(lengths), lengths
    assert page.last_assistant_text() == result.reply
    assert "Ada" in result.reply
    assert not page.transcript().empty.isVisible()
    titles = turn.steps.titles()
    assert titles[0].startswith("recalled 0 memories")
    assert any("saved to memory: Name is Ada, Lives in Paris" in t and "hot path" in t for t in titles), (
        titles
    )
    footer = turn.footer.text()
    assert "TTFT" in footer and "recall " in footer and "hot-path write " in footer, footer
    assert "memory +" not in footer
    assert turn.assistant_actions.isVisible()


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_stop_keeps_partial_reply(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(sim={"ttft_ms": 0.0, "tokens_per_s": 60.0}, memory_mode="off")
    turn = page.send("My name is Ada and I live in Paris.")
    assert page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: len(turn.assistant_bubble.text()) > 0, timeout=5_000)
    with qtbot.waitSignal(page.turn_finished, timeout=5_000):
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert turn.status == "stopped"
    assert "stopped" in turn.status_label.text()
    partial = turn.assistant_text()
    assert partial and partial != "Nice to meet you, Ada! Paris — noted, I'll remember that you live there."
    msg = page.ctx.lab.conversations.get_message(turn.message_id)
    assert msg.status == "stopped" and msg.content == partial
    assert not page.stop_button.isEnabled()


def test_non_streaming_and_queue(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(sim={**SLOW, "ttft_ms": 1500.0}, memory_mode="off")  # time to edit the queued one
    page.streaming_toggle.setChecked(False)
    first = page.send("My name is Ada and I live in Paris.")
    assert first.status_label.text() == "thinking…"
    assert page.input.isEnabled()
    qtbot.keyClicks(page.input, "Where do I live?")
    page.send_button.click()
    second = page.turns()[-1]
    assert second.status == "queued" and "1 queued" in page.queue_label.text()
    # a queued message can still be edited: what is sent is the edited text
    qtbot.waitUntil(second.user_actions.isVisible)  # the new turn shows on the next event-loop pass
    assert second.user_actions.edit_button.isEnabled()
    qtbot.mouseClick(second.user_actions.edit_button, Qt.MouseButton.LeftButton)
    assert second.editor.isVisible() and second.editor.save_button.text() == "Save"
    second.editor.box.setPlainText("What is my name?")
    qtbot.mouseClick(second.editor.save_button, Qt.MouseButton.LeftButton)
    assert second.user_bubble.text() == "What is my name?" and "What is my name" in page.queue_label.text()
    qtbot.waitUntil(lambda: second.status == "complete", timeout=10_000)
    assert first.assistant_text() and second.assistant_text()
    assert page.queue == [] and not page.queue_label.isVisible()
    sent = page.ctx.lab.conversations.get_message(second.user_message_id)
    assert sent is not None and sent.content == "What is my name?"


def test_feedback_thumbs_down_with_comment_updates_instructions(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="off")
    send_and_wait(qtbot, page, "Where do I live?")
    turn = page.turns()[-1]
    lab, profile = page.ctx.lab, page.ctx.profile
    before = lab.procedural.current(profile, "assistant").version
    turn.assistant_actions.thumb_down.click()
    assert turn.feedback.isVisible()
    turn.feedback.comment.setText("too long")
    with qtbot.waitSignal(page.feedback_done, timeout=10_000) as blocker:
        turn.feedback.send_button.click()
    out = blocker.args[0]
    assert out["instructions"]["version"] > before
    assert lab.procedural.current(profile, "assistant").version == out["instructions"]["version"]
    assert f"instructions updated to v{out['instructions']['version']}" in turn.feedback_result.text()
    assert lab.conversations.get_message(turn.message_id).feedback == -1


def test_edit_creates_branch_and_version_navigator(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="off")
    send_and_wait(qtbot, page, "My name is Ada.")
    send_and_wait(qtbot, page, "Where do I live?")
    first = page.turns()[0]
    old_id = first.user_message_id
    first.user_actions.edit_button.click()
    first.editor.box.setPlainText("My name is Grace.")
    with qtbot.waitSignal(page.turn_settled, timeout=10_000):
        first.editor.save_button.click()
    turns = page.turns()
    assert len(turns) == 1  # the later turn belonged to the old branch
    convs = page.ctx.lab.conversations
    versions = convs.versions(turns[0].user_message_id)
    assert [v.id for v in versions][0] == old_id and len(versions) == 2
    assert turns[0].user_actions.versions.text() == "2 / 2"
    # back to version 1: its whole branch (2 turns) comes back
    turns[0].user_actions.versions.prev_button.click()
    assert [t.user_text for t in page.turns()] == ["My name is Ada.", "Where do I live?"]
    assert page.turns()[0].user_actions.versions.text() == "1 / 2"


def test_regenerate_makes_reply_versions(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="off")
    send_and_wait(qtbot, page, "Where do I live?")
    with qtbot.waitSignal(page.turn_settled, timeout=10_000):
        page.turns()[-1].assistant_actions.regenerate_button.click()
    turn = page.turns()[-1]
    assert len(page.turns()) == 1
    assert turn.assistant_actions.versions.text() == "2 / 2"


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_background_memory_indicator(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="background")
    turn = page.send("My name is Ada and I live in Paris.")
    with qtbot.waitSignal(page.memory_indicator_changed, timeout=10_000) as blocker:
        pass
    text = blocker.args[0]
    assert text.startswith("memory saved:") and "Lives in Paris" in text and "after" in text
    assert turn.memory_label.text() == text


@pytest.mark.parametrize("engine_kind", ["local", "process"])
def test_error_shows_inline_retry_and_keeps_user_message(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(sim={"ttft_ms": 0.0, "tokens_per_s": 0.0, "error_rate": 1.0}, memory_mode="off")
    settings = copy.deepcopy(page.ctx.lab.settings)
    settings.provider.max_retries = 0
    page.ctx.apply_settings(settings)  # as the settings dialog does: the engine gets them too
    result = send_and_wait(qtbot, page, "Remember that I like tea.")
    turn = page.turns()[-1]
    assert result.error and turn.status == "error"
    assert turn.retry_button.isVisible() and result.error[:20] in turn.status_label.text()
    stored = page.ctx.lab.conversations.get_message(turn.user_message_id)
    assert stored is not None and stored.content == "Remember that I like tea."
    # retry after the chaos is switched off: same user message, one reply
    settings = copy.deepcopy(settings)
    settings.sim = SimConfig.instant()
    page.ctx.apply_settings(settings)
    with qtbot.waitSignal(page.turn_finished, timeout=10_000):
        turn.retry_button.click()
    assert turn.status == "complete" and turn.assistant_text()
    msgs = page.ctx.lab.conversations.messages(stored.conversation_id)
    assert [m.role for m in msgs] == ["user", "assistant"]


def test_conversations_new_rename_delete(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="hot_path")
    send_and_wait(qtbot, page, "My name is Ada and I live in Paris.")
    first = page.current_conversation_id
    page.new_conversation()
    assert page.turns() == [] and page.transcript().empty.isVisibleTo(page)
    with qtbot.waitSignal(page.turn_settled, timeout=10_000):
        page.send("Where do I live?")
    assert "Paris" in page.last_assistant_text()  # long-term memory, not the old transcript
    second = page.current_conversation_id
    assert page.conversations.titles()[0] == "Where do I live?"  # newest first
    page.rename_conversation(second, "Geography")
    assert page.conversations.titles()[0] == "Geography"
    page.delete_conversation(second)
    assert page.conversations.titles() == ["My name is Ada and I live in Paris."]
    assert page.current_conversation_id == first and len(page.turns()) == 1


def test_a_changed_fact_says_what_it_replaced(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="hot_path")
    send_and_wait(qtbot, page, "I live in Paris.")
    send_and_wait(qtbot, page, "I moved to Berlin.")
    titles = [r.toggle_button.text() for r in page.turns()[-1].steps.rows.values()]
    saved = [t for t in titles if t.startswith("saved to memory")]
    assert saved and "Berlin" in saved[0] and "(replaces Lives in Paris)" in saved[0], titles


def test_a_question_is_nothing_to_remember_not_a_failure(qtbot: QtBot, make_page: MakePage) -> None:
    page = make_page(memory_mode="background")
    turn = page.send("Where do I live?")
    qtbot.waitUntil(lambda: turn.memory_label.text().startswith("memory:"), timeout=10_000)
    text = turn.memory_label.text()
    assert "nothing new to remember" in text and "{" not in text, text
    assert "found nothing to remember" in turn.memory_label.toolTip()
