"""Human times on the ambient page: words for people, the ISO kept in a tooltip and in the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QDateTimeEdit

from agent_core.ambient import InboxItem
from ui_patterns.ambient.humantime import human_time, iso, parse_iso, relative
from ui_patterns.ambient.inbox_panel import InboxModel
from ui_patterns.ambient.item_detail import ArgField

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_human_and_relative_times() -> None:
    local_now = NOW.astimezone()
    at = local_now.replace(hour=8, minute=54)
    assert human_time(at, NOW) == "08:54"
    assert human_time(at - timedelta(days=1), NOW) == f"yesterday {at:%H:%M}"
    assert human_time(datetime(2026, 3, 5, 14, 0), NOW) == "Thu 14:00"  # wall-clock, as written
    assert human_time(datetime(2025, 12, 24, 17, 2), NOW) == "24 Dec 2025 17:02"
    assert relative(NOW - timedelta(seconds=10), NOW) == "just now"
    assert relative(NOW - timedelta(minutes=6), NOW) == "6 min ago"
    assert relative(NOW - timedelta(hours=30), NOW).startswith("yesterday") or "Sat" in relative(
        NOW - timedelta(hours=30), NOW
    )
    assert iso(NOW) == "2026-03-02T09:00:00Z"
    assert parse_iso("2026-03-05T14:00") == datetime(2026, 3, 5, 14, 0)
    assert parse_iso("Q2 roadmap review") is None


def test_inbox_rows_show_no_iso_but_tooltips_do(qtbot) -> None:  # noqa: ANN001
    model = InboxModel()
    model.now = NOW
    item = InboxItem(wait_key="r:1", kind="notify", agent="triage", run_id="r", title="Hello",
                     created_at=NOW - timedelta(minutes=6))  # fmt: skip
    model.set_items([item])
    index = model.index(0)
    shown = model.data(index)
    assert shown.endswith("triage · normal · 6 min ago") and "2026" not in shown
    assert "2026-03-02T08:54:00Z" in model.data(index, 3)  # Qt.ItemDataRole.ToolTipRole


def test_a_time_argument_is_edited_as_a_time_and_keeps_its_iso_shape(qtbot) -> None:  # noqa: ANN001
    field = ArgField("2026-03-05T14:00")
    qtbot.addWidget(field)
    assert isinstance(field.editor, QDateTimeEdit)
    assert field.editor.text() == "Thu 5 Mar 2026, 14:00"
    assert "2026-03-05T14:00" in field.editor.toolTip()
    assert field.value() == "2026-03-05T14:00"
    field.editor.setDateTime(field.editor.dateTime().addSecs(30 * 60))
    assert field.value() == "2026-03-05T14:30"
    zoned = ArgField("2026-03-02T07:05:00Z")
    qtbot.addWidget(zoned)
    assert zoned.value() == "2026-03-02T07:05:00Z"
    assert isinstance(ArgField("Q2 roadmap review").editor, type(ArgField("x").editor))


def test_an_item_title_with_an_address_is_shown_whole(qtbot) -> None:  # noqa: ANN001
    from ui_patterns.ambient.item_detail import ItemDetail

    detail = ItemDetail()
    qtbot.addWidget(detail)
    detail.show_item(InboxItem(wait_key="r:1", kind="notify", agent="triage", run_id="r" * 8,
                               title="AWS Billing <billing@aws.example>: Invoice", created_at=NOW))  # fmt: skip
    assert "&lt;billing@aws.example&gt;" in detail.header.text()
    assert "asked" in detail.header.text() and "2026-03-02T09:00:00Z" in detail.header.toolTip()
