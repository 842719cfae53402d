"""A flaky loopback model server: the simulator over HTTP with a *script* of faults.

Wraps agent_core.simulator.server: each chat request pops the next fault from the script and is
served with that one chaos knob at 1.0 (so a test says exactly which request fails and how), then
the plain simulator answers. Every request's arrival time is recorded, so tests can check the
client's backoff and that it honoured Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from agent_core.simulator import SimConfig
from agent_core.simulator.server import serve_in_thread

FAULTS = {
    "timeout": "timeout_rate",
    "429": "rate_limit_rate",
    "500": "error_rate",
    "truncate": "truncate_rate",
    "malformed": "malformed_tool_rate",
    "empty": "empty_choices_rate",
}


class FlakyServer:
    def __init__(self, faults: list[str | None], *, retry_after_s: float = 0.3, hang_s: float = 1.5) -> None:
        self.base = SimConfig(ttft_ms=0, tokens_per_s=0, retry_after_s=retry_after_s, hang_s=hang_s)
        self.server, self.url = serve_in_thread(0, self.base)
        # A hung request's late reply hits a closed socket (the client gave up): expected, not news.
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.core = self.server.core  # type: ignore[attr-defined]
        self.faults = list(faults)
        self.arrivals: list[tuple[float, str | None]] = []
        self._lock = threading.Lock()
        handle = self.core.handle

        def scripted(method: str, path: str, body: dict | None):  # noqa: ANN202 - Planned
            if not path.rstrip("/").endswith("/chat/completions"):
                return handle(method, path, body)
            with self._lock:
                fault = self.faults.pop(0) if self.faults else None
                self.arrivals.append((time.monotonic(), fault))
                self.core.config = replace(self.base, **({FAULTS[fault]: 1.0} if fault else {}))
                try:
                    return handle(method, path, body)
                finally:
                    self.core.config = self.base

        self.core.handle = scripted

    def gaps(self) -> list[float]:
        """Seconds between consecutive chat requests (the client's waits between retries)."""
        t = [a for a, _ in self.arrivals]
        return [b - a for a, b in zip(t, t[1:], strict=False)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def flaky(faults: list[str | None], **kw: float) -> Iterator[FlakyServer]:
    srv = FlakyServer(faults, **kw)
    try:
        yield srv
    finally:
        srv.close()
