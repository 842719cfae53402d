"""An AG-UI agent over HTTP: POST a RunAgentInput, read the run back as Server-Sent Events.

This is how LangGraph, ADK, Mastra (and `agent-ux-lab serve-agui`) serve an agent over AG-UI.
Every event is checked against the official `ag-ui-protocol` types and handed on in its wire form
(camelCase JSON); an event type newer than those types is skipped, not fatal. Whatever goes
wrong — nothing listening, a timeout, an HTTP error, a reply that is not an event stream, a line
that is not an AG-UI event — is one `AguiError` whose message says what and where.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
from ag_ui.core import Event, EventType, RunAgentInput
from pydantic import TypeAdapter, ValidationError

EVENT: TypeAdapter[Any] = TypeAdapter(Event)
KNOWN_TYPES = frozenset(t.value for t in EventType)
CONNECT_TIMEOUT_S = 10.0


class AguiError(RuntimeError):
    """The AG-UI agent could not be reached or did not answer in AG-UI; the message says why."""


def run_input(
    thread_id: str,
    run_id: str,
    messages: list[dict],
    *,
    state: object = None,
    tools: list[dict] | None = None,
    context: list[dict] | None = None,
    resume: list[dict] | None = None,
    forwarded_props: object = None,
) -> dict:
    """A RunAgentInput (validated) in its wire form."""
    model = RunAgentInput.model_validate(
        {
            "threadId": thread_id,
            "runId": run_id,
            "messages": messages,
            "state": state if state is not None else {},
            "tools": tools or [],
            "context": context or [],
            "forwardedProps": forwarded_props if forwarded_props is not None else {},
            **({"resume": resume} if resume else {}),
        }
    )
    return model.model_dump(mode="json", by_alias=True)


def sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The data of each Server-Sent Event (its `data:` lines joined), as the HTML spec reads them:
    a blank line ends an event; comments (`:`) and the other fields (event, id, retry) are skipped."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value.removeprefix(" "))
    if data:
        yield "\n".join(data)


def parse_event(text: str, n: int) -> dict | None:
    """The n-th event's data as an AG-UI event (wire form); None for a type these types do not know."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AguiError(f"event {n} of the stream is not JSON ({exc.msg}): {text[:80]!r}") from exc
    if isinstance(raw, dict) and isinstance(raw.get("type"), str) and raw["type"] not in KNOWN_TYPES:
        return None
    try:
        event = EVENT.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "the event"
        kind = raw.get("type", "?") if isinstance(raw, dict) else type(raw).__name__
        raise AguiError(
            f"event {n} of the stream is not an AG-UI event ({kind}: {where}: {first['msg']})"
        ) from exc
    return event.model_dump(mode="json", by_alias=True)


class AguiClient:
    """One AG-UI endpoint. `transport` is httpx's seam (tests); otherwise a plain HTTP client."""

    def __init__(
        self, url: str, *, timeout_s: float = 60.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url, self.timeout_s, self.transport = url, timeout_s, transport

    def stream(self, body: dict, should_stop: Callable[[], bool] = lambda: False) -> Iterator[dict]:
        """The run's events as they arrive; stops reading (and hangs up) once `should_stop()`."""
        timeout = httpx.Timeout(self.timeout_s, connect=min(CONNECT_TIMEOUT_S, self.timeout_s))
        where = f"the AG-UI agent at {self.url}"
        try:
            with (
                httpx.Client(timeout=timeout, transport=self.transport) as client,
                client.stream(
                    "POST", self.url, json=body, headers={"accept": "text/event-stream"}
                ) as response,
            ):
                if response.status_code >= 400:
                    detail = response.read().decode("utf-8", "replace").strip()[:200]
                    said = f": {detail}" if detail else ""
                    raise AguiError(
                        f"{where} answered HTTP {response.status_code} {response.reason_phrase}{said}"
                    )
                kind = response.headers.get("content-type", "")
                if "text/event-stream" not in kind:
                    raise AguiError(
                        f"{where} answered {kind or 'without a content type'}, not an event stream "
                        "(text/event-stream): is this the agent's AG-UI endpoint?"
                    )
                for n, data in enumerate(sse_data(response.iter_lines()), 1):
                    if should_stop():
                        return
                    if (event := parse_event(data, n)) is not None:
                        yield event
        except httpx.ConnectError as exc:
            raise AguiError(f"cannot reach {where} ({exc}): is it running?") from exc
        except httpx.TimeoutException as exc:
            raise AguiError(f"{where} sent nothing for {self.timeout_s:g} s (timed out)") from exc
        except httpx.HTTPError as exc:
            raise AguiError(f"the connection to {where} failed: {exc}") from exc
