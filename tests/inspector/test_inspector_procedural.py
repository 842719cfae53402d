"""The Procedural tab: versions, coloured diff against the previous version, rollback, hand edits."""

from __future__ import annotations

from desktop.inspector.procedural import diff_html


def test_diff_html_colours_added_and_removed_lines() -> None:
    out = diff_html(["--- v1", "+++ v2", "@@ -1 +1 @@", "-old <b>", "+new", " same"])
    assert "#e6f6e6" in out and "#fbe9ea" in out
    assert "&lt;b&gt;" in out  # escaped, never rendered as markup
    assert "No changes" in diff_html([])


def test_default_state_explains_where_versions_come_from(inspector, qtbot) -> None:  # noqa: ANN001
    tab = inspector.procedural
    qtbot.waitUntil(lambda: "default instructions" in tab.heading.text())
    assert tab.model.rowCount() == 0
    assert "helpful assistant" in tab.editor.toPlainText()


def test_commit_diff_and_rollback(inspector, lab, qtbot) -> None:  # noqa: ANN001
    tab = inspector.procedural
    inspector.tabs.setCurrentWidget(tab)
    lab.procedural.commit("ada", "assistant", "Be brief.\nUse metric units.", reason="first", author="user")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)  # the default v1 and ours

    with qtbot.waitSignal(tab.committed, timeout=5000):
        tab.editor.setPlainText("Be brief.\nUse imperial units.\nAnswer in French.")
        tab.reason_box.setText("user asked")
        tab.commit_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3 and tab.selected_version().version == 3)
    diff = tab.diff_text()
    assert "-Use metric units." in diff
    assert "+Use imperial units." in diff and "+Answer in French." in diff
    assert not tab.rollback_button.isEnabled()  # the active version cannot be rolled back to

    tab.select_version(2)
    assert tab.rollback_button.isEnabled()
    with qtbot.waitSignal(tab.committed, timeout=5000) as blocker:
        tab.rollback_button.click()
    assert blocker.args == [4]
    current = lab.procedural.current("ada", "assistant")
    assert current.version == 4 and current.text == "Be brief.\nUse metric units."
    assert "rollback to v2" in current.reason
    qtbot.waitUntil(lambda: tab.model.rowCount() == 4)


def test_empty_commit_is_refused(inspector, lab, qtbot) -> None:  # noqa: ANN001
    tab = inspector.procedural
    with qtbot.waitSignal(tab.failed, timeout=2000):
        tab.commit("   ")
    assert lab.procedural.versions("ada", "assistant") == []
