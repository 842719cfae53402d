"""The Semantic/Episodic tabs: listing, edit, delete, pin, history, search, live background writes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from desktop.inspector.models import SEARCH_COLUMNS

PARIS = {"content": "I live in Paris", "slot": "location", "value": "Paris"}
BERLIN = {"content": "I moved to Berlin", "slot": "location", "value": "Berlin"}
CHINESE = {"content": "我最喜欢的茶是龙井茶，每天早上都会喝一杯" * 6, "slot": "preference", "value": "龙井"}


def _contents(tab) -> list[str]:  # noqa: ANN001
    return [tab.model.memory_at(r).content for r in range(tab.model.rowCount())]


def test_empty_state_explains_how_memories_are_created(inspector, qtbot) -> None:  # noqa: ANN001
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.empty)
    assert "my name is" in tab.empty.text()
    assert "background" in tab.empty.text()


def test_lists_facts_written_by_the_writer(inspector, write_facts, qtbot) -> None:  # noqa: ANN001
    write_facts({"content": "My name is Ada", "slot": "name", "value": "Ada"}, CHINESE)
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    assert tab.stack.currentWidget() is tab.table
    assert set(_contents(tab)) == {"My name is Ada", CHINESE["content"]}
    row = tab.model.row_of(next(m.id for m in map(tab.model.memory_at, range(2)) if m.slot == "preference"))
    index = tab.model.index(row, tab.model.column_of("content"))
    shown = tab.model.data(index, Qt.ItemDataRole.DisplayRole)
    assert shown.endswith("…") and len(shown) <= 160  # elided in the table…
    assert CHINESE["content"] in tab.model.data(index, Qt.ItemDataRole.ToolTipRole)  # …full in the tooltip
    tab.table.selectRow(row)
    qtbot.waitUntil(lambda: CHINESE["content"] in tab.detail.text())


def test_edit_through_the_table_writes_the_store(inspector, write_facts, lab, qtbot) -> None:  # noqa: ANN001
    write_facts({"content": "I prefer coffee", "slot": "preference", "value": "coffee"})
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    mem = tab.model.memory_at(0)
    index = tab.model.index(0, tab.model.column_of("content"))
    assert tab.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(tab.action_done, timeout=5000):
        assert tab.model.setData(index, "I prefer green tea", Qt.ItemDataRole.EditRole)
    assert lab.store.get(mem.id).content == "I prefer green tea"
    assert "EDIT" in [e.event for e in lab.store.events(mem.id)]
    qtbot.waitUntil(lambda: _contents(tab) == ["I prefer green tea"])


def test_delete_asks_then_removes_from_store_and_table(inspector, write_facts, lab, qtbot) -> None:  # noqa: ANN001
    write_facts({"content": "I work at Acme", "slot": "employer", "value": "Acme"})
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    mem = tab.model.memory_at(0)
    asked: list[str] = []
    tab.confirm = lambda title, text: asked.append(text) or False
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert asked and "Acme" in asked[0]
    assert lab.store.get(mem.id) is not None  # declined: nothing deleted
    tab.confirm = lambda title, text: True
    with qtbot.waitSignal(tab.action_done, timeout=5000):
        qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert lab.store.get(mem.id) is None
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    assert tab.stack.currentWidget() is tab.empty


def test_pin_and_unpin(inspector, write_facts, lab, qtbot) -> None:  # noqa: ANN001
    write_facts({"content": "I am allergic to nuts", "slot": "health", "value": "nuts"})
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    mem_id = tab.model.memory_at(0).id
    tab.table.selectRow(0)
    assert tab.pin_button.text() == "Pin"
    with qtbot.waitSignal(tab.action_done, timeout=5000):
        qtbot.mouseClick(tab.pin_button, Qt.MouseButton.LeftButton)
    assert lab.store.get(mem_id).pinned
    qtbot.waitUntil(lambda: tab.pin_button.text() == "Unpin")
    pin_index = tab.model.index(0, tab.model.column_of("pinned"))
    assert tab.model.data(pin_index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    with qtbot.waitSignal(tab.action_done, timeout=5000):
        tab.model.setData(pin_index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not lab.store.get(mem_id).pinned
    assert [e.event for e in lab.store.events(mem_id)][-2:] == ["PIN", "UNPIN"]


def test_history_toggle_shows_the_superseded_fact(inspector, write_facts, qtbot) -> None:  # noqa: ANN001
    write_facts(PARIS)
    write_facts(BERLIN)
    tab = inspector.semantic
    qtbot.waitUntil(lambda: _contents(tab) == ["I moved to Berlin"])
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.history_box.setChecked(True)
    assert _contents(tab) == ["I moved to Berlin", "I live in Paris"]
    old_row = tab.model.row_of(tab.model.memory_at(1).id)
    old = tab.model.memory_at(old_row)
    assert not old.current
    to_index = tab.model.index(old_row, tab.model.column_of("valid_to"))
    assert tab.model.data(to_index, Qt.ItemDataRole.DisplayRole) != "now"
    brush = tab.model.data(to_index, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush)
    assert not tab.model.flags(tab.model.index(old_row, 0)) & Qt.ItemFlag.ItemIsEditable
    tab.table.selectRow(old_row)
    qtbot.waitUntil(lambda: "SUPERSEDE" in tab.detail.text())
    text = tab.detail.text()
    assert "I live in Paris" in text and "I moved to Berlin" in text and "→" in text
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.history_box.setChecked(False)
    assert _contents(tab) == ["I moved to Berlin"]


def test_search_runs_recall_on_a_worker_and_shows_score_parts(inspector, write_facts, qtbot) -> None:  # noqa: ANN001
    write_facts(BERLIN, {"content": "I prefer tea", "slot": "preference", "value": "tea"})
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    qtbot.keyClicks(tab.search_box, "Berlin")
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        qtbot.keyClick(tab.search_box, Qt.Key.Key_Return)
        assert tab.status_text() == "Searching…"  # the loading state, while the worker recalls
    assert tab.model.columns() == SEARCH_COLUMNS
    assert tab.model.memory_at(0).content == "I moved to Berlin"
    for key in ("relevance", "recency", "imp_part", "score"):
        value = tab.model.data(tab.model.index(0, tab.model.column_of(key)), Qt.ItemDataRole.DisplayRole)
        assert float(value) >= 0
    assert "recalled" in tab.status_text()
    tab.search_box.clear()
    qtbot.waitUntil(lambda: "relevance" not in tab.model.columns() and tab.model.rowCount() == 2)


def test_background_memory_appears_without_refresh(inspector, lab, qtbot) -> None:  # noqa: ANN001
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.empty)
    lab.background.enqueue(
        "ada", {"user_text": "My name is Ada and I live in Lisbon", "assistant_text": "Hi"}
    )
    qtbot.waitUntil(lambda: tab.model.rowCount() >= 2, timeout=10_000)
    modes = {tab.model.memory_at(r).write_mode for r in range(tab.model.rowCount())}
    assert modes == {"background"}


def test_other_profiles_memories_stay_out(inspector, ctx, write_facts, qtbot) -> None:  # noqa: ANN001
    write_facts({"content": "My name is Bob", "slot": "name", "value": "Bob"}, profile="bob")
    write_facts({"content": "My name is Ada", "slot": "name", "value": "Ada"})
    tab = inspector.semantic
    qtbot.waitUntil(lambda: _contents(tab) == ["My name is Ada"])
    ctx.set_profile("bob")
    qtbot.waitUntil(lambda: _contents(tab) == ["My name is Bob"])
    assert "bob" in inspector.profile_label.text()


def test_episodes_are_listed_in_their_own_tab(inspector, lab, qtbot) -> None:  # noqa: ANN001
    lab.writer.write(
        "ada",
        [],
        mode="hot_path",
        episode={"content": "Planned a trip", "situation": "trip", "outcome": "ok"},
    )
    qtbot.waitUntil(lambda: _contents(inspector.episodic) == ["Planned a trip"])
    assert inspector.semantic.model.rowCount() == 0


def test_detail_shows_provenance_and_search_stays_off_the_gui_thread(
    inspector, lab, qtbot, monkeypatch
) -> None:  # noqa: ANN001
    import threading

    from memory.consolidation import Source
    from memory.prompts import clean_fact

    src = Source(run_id="run-42", message_id="msg-9", text="By the way, I live in Lisbon now.")
    lab.writer.write(
        "ada", [clean_fact({"content": "I live in Lisbon", "slot": "location"})], mode="hot_path", source=src
    )
    tab = inspector.semantic
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: "run-42" in tab.detail.text())
    assert "By the way, I live in Lisbon now." in tab.detail.text()
    assert "ADD" in tab.detail.text()

    threads: list[bool] = []
    real_recall = lab.store.recall

    def recall(*args: object, **kw: object) -> list:
        threads.append(threading.current_thread() is threading.main_thread())
        return real_recall(*args, **kw)

    monkeypatch.setattr(lab.store, "recall", recall)
    tab.search_box.setText("Lisbon")
    qtbot.waitUntil(lambda: tab.model.columns() == SEARCH_COLUMNS, timeout=5000)  # typing is debounced
    assert threads == [False]
