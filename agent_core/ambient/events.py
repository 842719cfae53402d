"""Where ambient agents' work comes from: event sources and a stream that releases them over time.

A source is anything with a name and a list of events (the shipped emails and calendar, a file
given to the CLI). The stream hands events out at an adjustable rate, measured on a clock seam so
tests move time by hand instead of sleeping.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from memory.clock import Clock, SystemClock

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "ambient"
EMAILS_PATH = ASSETS / "emails.json"
CALENDAR_PATH = ASSETS / "calendar.json"


@dataclass(frozen=True)
class Event:
    """One thing that happened: an email arrived, a calendar invitation came in."""

    id: str
    source: str  # email | calendar
    data: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def received_at(self) -> str:
        return str(self.data.get("received_at", ""))

    @property
    def title(self) -> str:
        return str(self.data.get("subject") or self.data.get("title") or self.id)

    def as_dict(self) -> dict:
        return {"id": self.id, "source": self.source, **self.data}

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        data = {k: v for k, v in d.items() if k not in ("id", "source")}
        source = str(d.get("source") or ("email" if "subject" in d else "calendar"))
        return cls(str(d["id"]), source, data)

    def replayed(self, tag: str) -> Event:
        """The same event under a new id: replaying a stream is new work, not a duplicate."""
        return Event(f"{self.id}#{tag}", self.source, dict(self.data))


class EventSource(Protocol):
    name: str

    def events(self) -> list[Event]: ...


class JsonSource:
    """Events from a JSON list (or an object with "emails" / "calendar" lists)."""

    def __init__(self, path: Path | str, name: str = "file", default_source: str | None = None) -> None:
        self.path = Path(path)
        self.name = name
        self.default_source = default_source

    def events(self) -> list[Event]:
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        if isinstance(raw, dict):
            rows = [{"source": "email", **r} for r in raw.get("emails", [])]
            rows += [{"source": "calendar", **r} for r in raw.get("calendar", [])]
        elif isinstance(raw, list):
            rows = raw
        else:
            raise ValueError(f"{self.path}: expected a JSON list of events")
        out = []
        for r in rows:
            if not isinstance(r, dict) or "id" not in r:
                raise ValueError(f"{self.path}: every event needs an 'id'")
            if self.default_source and "source" not in r:
                r = {"source": self.default_source, **r}
            out.append(Event.from_dict(r))
        return sorted(out, key=lambda e: e.received_at)


class EmailSource(JsonSource):
    def __init__(self, path: Path | str = EMAILS_PATH) -> None:
        super().__init__(path, "email", "email")


class CalendarSource(JsonSource):
    def __init__(self, path: Path | str = CALENDAR_PATH) -> None:
        super().__init__(path, "calendar", "calendar")


def merged(sources: Iterable[EventSource]) -> list[Event]:
    """All sources' events in arrival order."""
    return sorted((e for s in sources for e in s.events()), key=lambda e: (e.received_at, e.id))


class EventStream:
    """Releases events at `rate` per second of clock time; `poll()` returns those now due.

    Speed changes apply from the moment they are made; pausing the stream is rate 0.
    """

    def __init__(self, events: list[Event], clock: Clock | None = None, rate: float = 1.0) -> None:
        self._events = list(events)
        self.clock = clock or SystemClock()
        self._rate = rate
        self._credit = 0.0
        self._pos = 0
        self._last = self.clock.monotonic()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self._accrue()
            self._rate = max(0.0, rate)

    def _accrue(self) -> None:
        now = self.clock.monotonic()
        self._credit += (now - self._last) * self._rate
        self._last = now

    def poll(self) -> list[Event]:
        with self._lock:
            self._accrue()
            n = min(int(self._credit), len(self._events) - self._pos)
            self._credit -= n
            out = self._events[self._pos : self._pos + n]
            self._pos += n
            return out

    @property
    def remaining(self) -> int:
        return len(self._events) - self._pos

    @property
    def delivered(self) -> int:
        return self._pos
