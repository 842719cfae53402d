"""The simulator as an httpx transport: the real `openai` client talks to it in-process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from agent_core.simulator.core import Planned, SimConfig, SimCore, SimError


class _PacedStream(httpx.SyncByteStream):
    def __init__(self, chunks: list[tuple[float, bytes]]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for delay, data in self._chunks:
            if delay > 0:
                time.sleep(delay)
            yield data


class SimTransport(httpx.BaseTransport):
    def __init__(self, core: SimCore | None = None, config: SimConfig | None = None) -> None:
        self.core = core or SimCore(config)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.read() or b"null") if request.method == "POST" else None
        except json.JSONDecodeError:
            return httpx.Response(
                400, json={"error": {"message": "request body is not JSON", "code": "invalid_json"}}
            )
        try:
            planned: Planned = self.core.handle(request.method, request.url.path, body)
        except SimError as exc:
            if exc.timeout:
                time.sleep(min(0.05, self.core.config.hang_s))
                raise httpx.ReadTimeout(
                    "simulated timeout: the model did not answer in time", request=request
                ) from None
            return httpx.Response(exc.status, json={"error": {"message": str(exc)}}, request=request)
        if planned.chunks is not None:
            return httpx.Response(
                planned.status, headers=planned.headers, stream=_PacedStream(planned.chunks), request=request
            )
        return httpx.Response(planned.status, headers=planned.headers, json=planned.body, request=request)
