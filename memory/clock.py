"""Time as a seam: recency, debounce and staleness are testable without sleeping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """Wall clock in UTC plus the process monotonic clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock tests move by hand; `advance` wakes anyone waiting on it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)
        self._mono = 0.0
        self.changed = threading.Condition()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        with self.changed:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds
            self.changed.notify_all()


def utcnow() -> datetime:
    """Aware UTC timestamp (SQLModel stores UTC and returns aware values)."""
    return datetime.now(UTC)
