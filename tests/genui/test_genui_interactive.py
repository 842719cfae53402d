"""Human-in-the-loop components: typed form answers, confirm/cancel, answered state, restore."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QPushButton, QWidget

from ui_patterns.genui import samples
from ui_patterns.genui.components import ComponentState, ConfirmCard, FormCard, create_component
from ui_patterns.genui.host import ComponentHost
from ui_patterns.genui.interactive import parse_number

Text = Callable[[QWidget], str]


@pytest.fixture
def form(qtbot) -> FormCard:
    card = create_component("ask_form", samples.FORM)
    qtbot.addWidget(card)
    card.show()
    return card


def test_form_round_trip_has_typed_values(qtbot, form: FormCard, text_of: Text) -> None:
    qtbot.keyClicks(form.findChild(QLineEdit, "field_name"), "Ada Lovelace")
    qtbot.keyClicks(form.findChild(QLineEdit, "field_guests"), "4")
    form.findChild(QComboBox, "field_seating").setCurrentIndex(1)
    form.findChild(QDateEdit, "field_day").setDate(QDate(2025, 6, 1))
    with qtbot.waitSignal(form.responded, timeout=1000) as blocker:
        qtbot.mouseClick(form.findChild(QPushButton, "submit"), Qt.MouseButton.LeftButton)
    values = blocker.args[0]["values"]
    assert blocker.args[0]["status"] == "submitted"
    assert values == {"name": "Ada Lovelace", "guests": 4, "seating": "terrace", "day": "2025-06-01"}
    assert type(values["guests"]) is int
    assert form.state() == ComponentState.ANSWERED
    answer = "Name: Ada Lovelace · Guests: 4 · Seating: terrace · Day: Sun 1 Jun 2025"
    assert f"Answered: {answer}" in text_of(form)
    assert form.summary(blocker.args[0]) == f"Book a table — {answer}"
    assert not form.findChild(QLineEdit, "field_name").isEnabled()
    assert not form.findChild(QPushButton, "submit").isVisible()


def test_form_decimal_number_stays_a_float(qtbot) -> None:
    card = create_component(
        "ask_form",
        {"title": "Tip", "fields": [{"name": "tip", "label": "Tip", "type": "number", "required": True}]},
    )
    qtbot.addWidget(card)
    card.show()
    qtbot.keyClicks(card.findChild(QLineEdit, "field_tip"), "2.5")
    with qtbot.waitSignal(card.responded, timeout=1000) as blocker:
        card.submit()
    assert blocker.args[0]["values"] == {"tip": 2.5}


def test_form_refuses_missing_required_and_bad_numbers(qtbot, form: FormCard, text_of: Text) -> None:
    qtbot.keyClicks(form.findChild(QLineEdit, "field_guests"), "four")
    with qtbot.assertNotEmitted(form.responded):
        qtbot.mouseClick(form.findChild(QPushButton, "submit"), Qt.MouseButton.LeftButton)
    shown = text_of(form)
    assert "required" in shown and "expected a number, got 'four'" in shown
    assert form.state() == ComponentState.WAITING


def test_form_is_disabled_while_streaming(qtbot) -> None:
    card = create_component(
        "ask_form", {"title": "Book", "fields": [{"name": "n", "label": "N"}]}, partial=True
    )
    qtbot.addWidget(card)
    assert card.state() == ComponentState.STREAMING
    assert not card.findChild(QPushButton, "submit").isEnabled()
    with qtbot.assertNotEmitted(card.responded):
        card.submit()


@pytest.mark.parametrize(("button", "confirmed"), [("confirm", True), ("cancel", False)])
def test_confirmation_accept_and_cancel(qtbot, text_of: Text, button: str, confirmed: bool) -> None:
    card = create_component("confirm_action", samples.CONFIRM)
    qtbot.addWidget(card)
    card.show()
    assert isinstance(card, ConfirmCard)
    with qtbot.waitSignal(card.responded, timeout=1000) as blocker:
        qtbot.mouseClick(card.findChild(QPushButton, button), Qt.MouseButton.LeftButton)
    assert blocker.args[0] == {"status": "confirmed" if confirmed else "cancelled", "confirmed": confirmed}
    assert card.state() == ComponentState.ANSWERED
    assert f"Answered: {'Delete' if confirmed else 'Keep them'}" in text_of(card)
    with qtbot.assertNotEmitted(card.responded):
        card.confirm()
        card.cancel()


def test_restored_answer_is_read_only_and_silent(qtbot, text_of: Text) -> None:
    host = ComponentHost("ask_form", samples.FORM)
    qtbot.addWidget(host)
    with qtbot.assertNotEmitted(host.responded):
        host.component().restore_response({"status": "submitted", "values": {"name": "Ada", "guests": 2}})
    assert host.chip_text() == "answered"
    assert host.findChild(QLineEdit, "field_guests").text() == "2"
    assert "Answered" in text_of(host)
    host.set_args(samples.FORM)  # a replayed call must not reopen the question
    assert host.state() == ComponentState.ANSWERED


def test_host_forwards_responded(qtbot) -> None:
    host = ComponentHost("confirm_action", samples.CONFIRM)
    qtbot.addWidget(host)
    with qtbot.waitSignal(host.responded, timeout=1000) as blocker:
        host.component().confirm()
    assert blocker.args[0]["confirmed"] is True


@pytest.mark.parametrize(
    ("text", "value"), [("4", 4), ("-3", -3), ("2.5", 2.5), ("2,5", 2.5), (" 1e3 ", 1000.0)]
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value and type(parse_number(text)) is type(value)


@pytest.mark.parametrize("text", ["four", "", "nan", "inf"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)
