"""A2UI rendered natively: a form, a list bound to data and buttons; streaming; actions to the agent."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from agent_core.genui.a2ui_catalog import CATALOG_ID
from tests.genui.test_genui_designer_pass import ask, page  # noqa: F401 - the page fixture
from ui_patterns.genui import samples
from ui_patterns.genui.a2ui_host import A2UICallView, A2UISession
from ui_patterns.genui.a2ui_view import SurfaceView
from ui_patterns.genui.cards import PlaceCard


def _session_call(qtbot) -> tuple[A2UISession, A2UICallView]:  # noqa: ANN001
    session = A2UISession()
    call = A2UICallView(session)
    qtbot.addWidget(call)
    call.resize(760, 900)
    call.show()
    return session, call


def _part(view: SurfaceView, component_id: str) -> QWidget:
    part = view.part(component_id)
    assert part is not None, component_id
    return part


def _texts(widget: QWidget) -> str:
    return " | ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget))


def test_booking_surface_renders_form_list_and_buttons_with_two_way_binding(qtbot) -> None:  # noqa: ANN001
    _session, call = _session_call(qtbot)
    call.feed(json.dumps({"jsonl": samples.a2ui_booking_jsonl("s1", guests=4)}), done=True)
    assert call.errors() == []
    [view] = call.surfaces()
    assert isinstance(_part(view, "venue"), PlaceCard)  # a predefined component from the catalog
    name = _part(view, "name").findChild(QLineEdit)
    guests = _part(view, "guests").findChild(QLineEdit)
    assert guests.text() == "4"  # read from the data model
    assert isinstance(_part(view, "time").findChild(QComboBox), QComboBox)
    rows = view.parts("slot")
    assert len(rows) == 5  # one row per item of /slots
    assert "19:00" in _texts(rows[0]) and "seats" in _texts(rows[0])
    book = _part(view, "book")
    assert isinstance(book, QPushButton) and book.text() == "Book"
    assert not book.isEnabled()  # its check: a name is required
    qtbot.keyClicks(name, "Ada")
    assert view.surface.get("/booking/name") == "Ada"  # view → model at once
    assert book.isEnabled()
    assert "Ada" in _part(view, "summary").text()  # model → every other binding
    qtbot.keyClicks(guests, "0")
    assert view.surface.get("/booking/guests") == 40
    assert "1 to 12 guests" in _texts(_part(view, "guests"))
    with qtbot.waitSignal(view.action_triggered, timeout=1000) as blocker:
        guests.clear()
        qtbot.keyClicks(guests, "3")
        qtbot.mouseClick(book, Qt.MouseButton.LeftButton)
    message, label = blocker.args
    assert label == "Book"
    assert message["action"]["name"] == "book_table" and message["action"]["sourceComponentId"] == "book"
    assert {"name": "Ada", "guests": 3}.items() <= message["action"]["context"].items()


def test_components_stream_in_message_by_message(qtbot) -> None:  # noqa: ANN001
    _session, call = _session_call(qtbot)
    lines = samples.a2ui_booking_jsonl("s1").splitlines(keepends=True)
    args_prefix = '{"jsonl": '
    seen: list[int] = []
    for count in range(1, len(lines) + 1):
        text = args_prefix + json.dumps("".join(lines[:count]))[:-1]  # the string is still open
        call.feed(text)
        view = call.surfaces()[0] if call.surfaces() else None
        seen.append(len(view.findChildren(QLineEdit)) if view else -1)
    assert seen[0] == -1 or seen[0] == 0  # the surface exists before any field has arrived
    assert seen[-1] >= 2 and seen == sorted(seen)  # fields appear as their messages complete
    early = _session_call(qtbot)[1]
    early.feed(args_prefix + json.dumps("".join(lines[:2]))[:-1])
    assert "slots" in _texts(early.surfaces()[0]).lower()  # children not yet defined: placeholders
    call.feed(args_prefix + json.dumps("".join(lines)) + "}", done=True)
    assert call.done and call.errors() == []


def test_data_updates_rebuild_template_lists_and_unknown_types_get_a_generic_card(qtbot) -> None:  # noqa: ANN001
    session, call = _session_call(qtbot)
    messages = [
        {"createSurface": {"surfaceId": "x", "catalogId": CATALOG_ID}},
        {
            "updateComponents": {
                "surfaceId": "x",
                "components": [
                    {"id": "root", "component": "Column", "children": ["items", "map"]},
                    {
                        "id": "items",
                        "component": "List",
                        "children": {"componentId": "item", "path": "/items"},
                    },
                    {"id": "item", "component": "Text", "text": {"path": "title"}},
                    {"id": "map", "component": "GeoMap", "center": [38.7, -9.1], "zoom": 12},
                ],
            }
        },
        {"updateDataModel": {"surfaceId": "x", "path": "/items", "value": [{"title": "one"}]}},
    ]
    call.feed(json.dumps({"messages": messages}), done=True)
    [view] = call.surfaces()
    assert len(view.parts("item")) == 1
    unknown = _part(view, "map")
    assert "GeoMap" in _texts(unknown) and "zoom" in _texts(unknown)
    later = A2UICallView(session)
    qtbot.addWidget(later)
    update = {"updateDataModel": {"surfaceId": "x", "path": "/items/-", "value": {"title": "two"}}}
    later.feed(json.dumps({"messages": [update]}), done=True)
    items = view.parts("item")
    assert [w.text().count("two") for w in items] == [0, 1]  # the earlier call's surface grew
    assert later.surfaces() == [] and "updated the surface" in _texts(later)
    last = A2UICallView(session)
    qtbot.addWidget(last)
    last.feed(json.dumps({"messages": [{"deleteSurface": {"surfaceId": "x"}}]}), done=True)
    assert view.surface.deleted and "removed" in _texts(view)


def test_a2ui_action_from_the_page_reaches_the_agent(page, qtbot) -> None:  # noqa: ANN001, F811
    ask(page, qtbot, "Book a table for 2 with A2UI")
    [call] = page.a2ui_calls()
    [view] = call.surfaces()
    qtbot.keyClicks(_part(view, "name").findChild(QLineEdit), "Ada")
    qtbot.mouseClick(_part(view, "book"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(t.startswith("Booked a table") for t in page.transcript()), timeout=10_000)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    [answer] = [b for b in page.bubbles() if b.kind == "answer"]
    assert answer.source().startswith("↩ Book — Name: Ada · Guests: 2")
    assert '"book_table"' in answer.toolTip()
    reply = next(t for t in page.transcript() if t.startswith("Booked a table"))
    assert "Ada" in reply and "**2**" in reply
    assert view.surface.root()["children"] == ["title", "venue", "done"]  # the agent updated the surface
    assert "Booked" in _part(view, "done").text()
    assert len(page.a2ui_calls()) == 2 and page.a2ui_calls()[1].surfaces() == []


def test_a2ui_cancel_removes_the_surface(page, qtbot) -> None:  # noqa: ANN001, F811
    ask(page, qtbot, "Book a table with A2UI")
    [view] = page.a2ui_calls()[0].surfaces()
    qtbot.mouseClick(_part(view, "cancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Okay, nothing booked." in page.transcript(), timeout=10_000)
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert view.surface.deleted
