"""Recorded conversations with real servers, replayed beneath the `openai` client.

Servers that speak "the OpenAI API" differ in the details: llama.cpp's Python server refuses
`response_format` json_schema with a 500 and sends no usage when streaming, Ollama's errors are a
bare string, vLLM streams tool-call arguments in pieces, OpenAI ends a stream with a choice-less
usage chunk. A recording is a JSON file of exchanges; `ReplayTransport` answers each request with
the first exchange whose `when` matches it, so tests of those quirks need no model and no network.

An exchange: {"when": {"stream": true, "response_format.type": "json_schema", "tools": "present"},
"status": 200, "json": {...}} or {..., "sse": [chunk, ...]} ("[DONE]" is appended).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx


def _get(body: dict, dotted: str) -> Any:
    value: Any = body
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _matches(when: dict, body: dict) -> bool:
    for key, want in when.items():
        got = _get(body, key)
        if want == "present" and got is None:
            return False
        if want == "absent" and got is not None:
            return False
        if want not in ("present", "absent") and got != want and not (want is False and got is None):
            return False
    return True


class ReplayTransport(httpx.BaseTransport):
    """An httpx transport serving a recording; `requests` keeps what was asked, in order."""

    def __init__(self, recording: str | Path | dict) -> None:
        data = recording if isinstance(recording, dict) else json.loads(Path(recording).read_text("utf-8"))
        self.server: str = data.get("server", "recorded")
        self.exchanges: list[dict] = data["exchanges"]
        self.requests: list[dict] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.requests.append(body)
        for ex in self.exchanges:
            if _matches(ex.get("when", {}), body):
                return self._response(ex)
        return httpx.Response(500, json={"error": {"message": f"no recorded exchange for {body!r:.200}"}})

    @staticmethod
    def _response(ex: dict) -> httpx.Response:
        status = int(ex.get("status", 200))
        if "sse" in ex:
            lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in ex["sse"]] + ["data: [DONE]\n\n"]
            return httpx.Response(
                status, headers={"content-type": "text/event-stream"}, content="".join(lines).encode()
            )
        if "text" in ex:
            return httpx.Response(status, text=ex["text"])
        return httpx.Response(status, json=ex.get("json", {}))
