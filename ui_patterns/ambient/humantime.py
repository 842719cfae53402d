"""Human times for the ambient page: "08:54", "yesterday 17:02", "5 min ago"; the ISO goes in a tooltip.

Database timestamps are UTC (naive ones are read as UTC) and shown in local time; a time written
without a zone in the data (a meeting's "2026-03-05T14:00") is a wall-clock time and shown as is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_iso(text: object) -> datetime | None:
    """A datetime for an ISO 8601 string ("2026-03-05T14:00", "…T07:05:00Z"), else None."""
    if not isinstance(text, str) or not ISO.match(text.strip()):
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def local(dt: datetime) -> datetime:
    """Aware → local time; naive stays a wall-clock time."""
    return dt.astimezone() if dt.tzinfo is not None else dt


def _now_like(dt: datetime, now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if dt.tzinfo is None:
        return local(now).replace(tzinfo=None) if now.tzinfo is not None else now
    return local(now if now.tzinfo is not None else now.replace(tzinfo=UTC))


def human_time(dt: datetime, now: datetime | None = None) -> str:
    """'08:54' today, 'yesterday 17:02', 'tomorrow 09:00', 'Mon 08:54' this week, else '5 Mar 14:00'."""
    at, ref = local(dt), _now_like(dt, now)
    clock = f"{at:%H:%M}"
    days = (at.date() - ref.date()).days
    if days == 0:
        return clock
    if days == -1:
        return f"yesterday {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if -6 <= days <= 6:
        return f"{at:%a} {clock}"
    year = "" if at.year == ref.year else f" {at.year}"
    return f"{at.day} {at:%b}{year} {clock}"


def relative(dt: datetime, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '2 h ago'; beyond 12 hours the human time instead."""
    s = int((_now_like(dt, now) - local(dt)).total_seconds())
    if abs(s) < 45:
        return "just now"
    if abs(s) < 12 * 3600:
        n, unit = (round(abs(s) / 60), "min") if abs(s) < 3600 else (round(abs(s) / 3600), "h")
        return f"{n} {unit} ago" if s > 0 else f"in {n} {unit}"
    return human_time(dt, now)


def iso(dt: datetime) -> str:
    """The exact time for a tooltip: UTC for database times, as written for wall-clock ones."""
    if dt.tzinfo is None:
        return dt.isoformat(timespec="seconds")
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def stored(dt: datetime) -> datetime:
    """A database timestamp (naive means UTC) as an aware datetime."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
