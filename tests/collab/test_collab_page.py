"""The document page: typing never loses a keystroke while the agent streams; review, undo, learning."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from agent_core.collab.actions import split_sections


def _page(lab, qtbot):  # noqa: ANN001, ANN202
    from ui_patterns.collab.page import CollabPage
    from ui_patterns.common.context import LabContext

    ctx = LabContext(lab)
    ctx.set_profile("ada")
    view = CollabPage(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    return ctx, view


@pytest.fixture
def page(lab, qtbot) -> Iterator:  # noqa: ANN001
    from ui_patterns.common.workers import active_workers

    ctx, view = _page(lab, qtbot)
    yield view
    view.shutdown()
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    lab.background.flush(10)
    ctx.close()


def _wait_idle(page, qtbot) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=10_000)
    page.refresh()


def _put_cursor(page, index: int) -> None:  # noqa: ANN001
    cursor = page.editor.textCursor()
    cursor.setPosition(index)
    page.editor.setTextCursor(cursor)


def test_typing_while_a_suggestion_streams_keeps_every_keystroke(page, qtbot, lab) -> None:  # noqa: ANN001
    from agent_core.simulator import SimConfig

    lab.llm.sim_core.config = SimConfig(ttft_ms=0, tokens_per_s=40)  # ~1 s of streaming
    run = page.run_action("rewrite", page.section_target(1))
    assert run is not None and run.sid is not None
    qtbot.waitUntil(lambda: page.doc.suggestion(run.sid).replacement != "", timeout=5_000)
    risks = split_sections(page.doc.text)[2]
    _put_cursor(page, risks.end)
    page.editor.setFocus()
    typed = " Typed while the agent writes!"
    qtbot.keyClicks(page.editor, typed)
    assert page.doc.suggestion(run.sid).streaming  # the typing really overlapped the stream
    _wait_idle(page, qtbot)
    assert typed in page.doc.text
    assert page.editor.toPlainText() == page.doc.text
    suggestion = page.doc.suggestion(run.sid)
    assert suggestion.status == "pending" and not suggestion.streaming and suggestion.replacement
    assert "Agent:" not in page.presence_label.text()


def test_accept_one_reject_one_and_undo_the_accept(page, qtbot) -> None:  # noqa: ANN001
    original = page.doc.text
    first = page.run_action("summarise", page.section_target(2))
    second = page.run_action("fix_tone", page.section_target(0))
    _wait_idle(page, qtbot)
    cards = page.suggestions.cards()
    assert set(cards) == {first.sid, second.sid}
    qtbot.mouseClick(cards[second.sid].reject_button, Qt.MouseButton.LeftButton)
    assert page.doc.text == original  # reject restores the exact original
    page.refresh()
    qtbot.mouseClick(page.suggestions.cards()[first.sid].accept_button, Qt.MouseButton.LeftButton)
    accepted = page.doc.suggestion(first.sid)
    assert accepted.status == "accepted" and accepted.replacement in page.doc.text
    assert page.editor.toPlainText() == page.doc.text
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.doc.text == original and page.editor.toPlainText() == original
    assert page.doc.suggestion(first.sid).status == "pending"


def test_conflicted_suggestion_is_never_applied(page, qtbot) -> None:  # noqa: ANN001
    run = page.run_action("rewrite", page.section_target(1))
    _wait_idle(page, qtbot)
    goals = split_sections(page.doc.text)[1]
    _put_cursor(page, goals.start + 10)
    qtbot.keyClicks(page.editor, "Z")
    suggestion = page.doc.suggestion(run.sid)
    assert suggestion.status == "conflicted"
    before = page.doc.text
    page.accept_all()
    assert page.doc.text == before and page.doc.suggestion(run.sid).status == "conflicted"
    page.refresh()
    card = page.suggestions.cards()[run.sid]
    assert not card.rerun_button.isHidden() and card.accept_button.isHidden()
    qtbot.mouseClick(card.rerun_button, Qt.MouseButton.LeftButton)
    _wait_idle(page, qtbot)
    assert page.doc.suggestion(run.sid).status == "pending"
    assert "Z" in page.doc.suggestion(run.sid).original


def test_learned_rules_shown_and_committed_after_accepts(page, qtbot, lab) -> None:  # noqa: ANN001
    page.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(page.editor, "Ok guys, this stuff is gonna be awesome.")
    a = page.run_action("fix_tone", page.section_target(0))
    b = page.run_action("fix_tone", page.section_target(2))
    _wait_idle(page, qtbot)
    page.accept(a.sid)
    page.accept(b.sid)
    qtbot.waitUntil(lambda: "Prefer a formal tone." in page.rules.texts, timeout=5_000)
    qtbot.waitUntil(lambda: page.learner.committed is not None, timeout=5_000)
    text = lab.procedural.current("ada", "writer").text
    assert "Prefer a formal tone." in text and a.sid in text and b.sid in text
    page.tabs.setCurrentWidget(page.rules)
    labels = " ".join(label.text() for label in page.rules.findChildren(type(page.presence_label)))
    assert "Prefer a formal tone." in labels and a.sid in labels


def test_direct_mode_edits_with_an_author_span(page, qtbot) -> None:  # noqa: ANN001
    page.direct_box.setChecked(True)
    page.run_action("fix_tone", page.section_target(0))
    _wait_idle(page, qtbot)
    assert "gonna" not in page.doc.text and page.editor.toPlainText() == page.doc.text
    assert [s.author for s in page.doc.author_spans()] == ["writer"]
    assert not page.doc.suggestions()


def test_edit_ops_place_a_keystroke_where_it_was_typed() -> None:
    from agent_core.collab import Insert
    from ui_patterns.collab.editor import edit_ops

    assert edit_ops("aa", "aaa", 1) == [Insert(1, "a")]
    assert edit_ops("abc", "ac", 1)[0].pos == 1


def test_undo_after_a_conflict_leaves_an_acceptable_card(page, qtbot, lab) -> None:  # noqa: ANN001
    """Issue 19: the user types in a streaming suggestion's range, the stream ends, Undo: the card
    must read pending (not "streaming…") with Accept enabled, and accepting it applies the text."""
    from agent_core.simulator import SimConfig

    lab.llm.sim_core.config = SimConfig(ttft_ms=0, tokens_per_s=40)
    run = page.run_action("rewrite", page.section_target(1))
    qtbot.waitUntil(lambda: page.doc.suggestion(run.sid).replacement != "", timeout=5_000)
    goals = split_sections(page.doc.text)[1]
    _put_cursor(page, goals.start + 10)
    page.editor.setFocus()
    qtbot.keyClicks(page.editor, "Z")
    assert page.doc.suggestion(run.sid).status == "conflicted" and page.doc.suggestion(run.sid).streaming
    _wait_idle(page, qtbot)
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    card = page.suggestions.cards()[run.sid]
    assert "streaming" not in card.header.text() and "pending" in card.header.text()
    assert not card.accept_button.isHidden() and card.accept_button.isEnabled()
    replacement = page.doc.suggestion(run.sid).replacement
    qtbot.mouseClick(card.accept_button, Qt.MouseButton.LeftButton)
    assert replacement in page.doc.text and page.editor.toPlainText() == page.doc.text


def test_continue_at_the_end_of_the_document_appends_there(page, qtbot) -> None:  # noqa: ANN001
    page.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.mouseClick(page.action_buttons["continue"], Qt.MouseButton.LeftButton)
    _wait_idle(page, qtbot)
    (suggestion,) = page.doc.suggestions()
    last = split_sections(page.doc.text)[-1]
    assert suggestion.kind == "insert" and suggestion.start == last.end
    assert page.runner.actions[suggestion.id] == "continue"
    page.accept(suggestion.id)
    assert page.doc.text.rstrip().endswith(suggestion.replacement.strip())
    assert page.doc.text.startswith("# Launch plan\n\nHey guys, we're gonna ship")  # §1 untouched


def test_fix_tone_changes_the_text_or_says_it_is_already_in_that_tone(page, qtbot) -> None:  # noqa: ANN001
    risks = page.section_target(2)
    run = page.run_action("fix_tone", risks)
    _wait_idle(page, qtbot)
    suggestion = page.doc.suggestion(run.sid)
    assert suggestion.replacement.split() != suggestion.original.split()  # a meaningful change
    page.reject(run.sid)
    page.editor.selectAll()
    page.editor.insertPlainText("We will ship the inspector on Monday. The documentation is complete.")
    again = page.run_action("fix_tone")
    _wait_idle(page, qtbot)
    assert again is not None and again.unchanged
    assert not page.doc.suggestions(open_only=True) and not page.suggestions.cards()
    assert "already in that tone" in page.status.text()
    assert again.sid not in page.learner.reviewed  # never offered, so never taught anything


def test_direct_mode_makes_no_edit_that_changes_nothing(page, qtbot) -> None:  # noqa: ANN001
    page.editor.selectAll()
    page.editor.insertPlainText("The documentation is complete.")
    page.direct_box.setChecked(True)
    version = page.doc.version
    page.run_action("fix_tone")
    _wait_idle(page, qtbot)
    assert page.doc.version == version and "already in that tone" in page.status.text()


def test_review_says_what_it_found(page, qtbot) -> None:  # noqa: ANN001
    qtbot.mouseClick(page.review_button, Qt.MouseButton.LeftButton)
    assert page.doc.comments() and "comment" in page.status.text()
    assert page.tabs.currentWidget() is page.comments
    count = len(page.doc.comments())
    qtbot.mouseClick(page.review_button, Qt.MouseButton.LeftButton)
    assert len(page.doc.comments()) == count and "No new issues" in page.status.text()
    page.editor.selectAll()
    page.editor.insertPlainText("The documentation is complete.")
    qtbot.mouseClick(page.review_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "No issues found in the document."


def test_four_reviews_teach_the_rules_a_user_expects(page, qtbot) -> None:  # noqa: ANN001
    """Issue 19: two rejected rewrites and two accepted summaries (the first one also drops slang)."""
    rewrites = [page.run_action("rewrite", page.section_target(i)) for i in (1, 2)]
    _wait_idle(page, qtbot)
    for run in rewrites:
        page.reject(run.sid)
    summaries = [page.run_action("summarise", page.section_target(i)) for i in (0, 1)]
    _wait_idle(page, qtbot)
    for run in summaries:
        page.accept(run.sid)
    expected = {"Prefer shorter, tighter text.", "Keep the author's wording; change only what is asked."}
    qtbot.waitUntil(lambda: expected <= set(page.rules.texts), timeout=5_000)
    assert "Learned" in page.status.text()
    shorter = next(r for r in page.learner.rules if r.text == "Prefer shorter, tighter text.")
    assert set(shorter.taught_by) == {run.sid for run in summaries}


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_change_cards_use_the_theme_palette(page, qtbot, theme) -> None:  # noqa: ANN001
    """Issue 19: the diff backgrounds were fixed pastels, glaring in dark mode."""
    import re

    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from desktop.theme import palette

    app = QApplication.instance()
    before = app.palette()
    app.setPalette(palette(theme))
    try:
        run = page.run_action("fix_tone", page.section_target(0))
        _wait_idle(page, qtbot)
        card = page.suggestions.cards()[run.sid]
        rich = " ".join(label.text() for label in card.findChildren(type(page.status)))
        rich += page.preview.toHtml()
        backgrounds = [
            QColor(c).lightness() for c in re.findall(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", rich)
        ]
        assert backgrounds
        assert all(b < 90 for b in backgrounds) if theme == "dark" else all(b > 200 for b in backgrounds)
    finally:
        app.setPalette(before)


def test_a_streaming_card_grows_in_place_and_is_rebuilt_when_it_settles(page, qtbot, lab) -> None:  # noqa: ANN001
    """Refreshing ~30 times a second while suggestions stream must not rebuild every card."""
    from agent_core.simulator import SimConfig

    lab.llm.sim_core.config = SimConfig(ttft_ms=0, tokens_per_s=40)
    run = page.run_action("rewrite", page.section_target(1))
    qtbot.waitUntil(lambda: page.doc.suggestion(run.sid).replacement != "", timeout=5_000)
    page.refresh()
    card, before = page.suggestions.cards()[run.sid], page.doc.suggestion(run.sid).replacement
    qtbot.waitUntil(lambda: len(page.doc.suggestion(run.sid).replacement) > len(before) + 5, timeout=5_000)
    page.refresh()
    assert page.suggestions.cards()[run.sid] is card and "streaming" in card.header.text()
    assert page.doc.suggestion(run.sid).replacement[:20] in card.diff.text()
    assert not card.accept_button.isEnabled()
    _wait_idle(page, qtbot)
    settled = page.suggestions.cards()[run.sid]
    assert settled is not card and "pending" in settled.header.text() and settled.accept_button.isEnabled()
