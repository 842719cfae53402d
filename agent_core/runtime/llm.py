"""The one path to a model: the `openai` client, pointed at the simulator or a real server.

Errors come back as `LLMError` with a sentence a person can act on; the caller keeps the input.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack, cast

import httpx
import openai

from agent_core.runtime.local_model import LocalModelError, LocalServer, shared_server
from agent_core.runtime.settings import ProviderSettings
from agent_core.simulator import SimConfig, SimCore, SimTransport
from memory.secrets import scrub

if TYPE_CHECKING:
    from openai.types.chat import (
        ChatCompletionMessageParam,
        ChatCompletionToolChoiceOptionParam,
        ChatCompletionToolUnionParam,
    )
    from openai.types.chat.completion_create_params import ResponseFormat

T = TypeVar("T")
SIM_BASE_URL = "http://sim.agent-ux-lab.local/v1"
STRUCTURED = ("json_schema", "json_object", "tool", "prompt")
"""How to ask a server for JSON, strongest first: OpenAI-style `response_format` json_schema
(OpenAI, vLLM, Ollama, llama.cpp's own server), `json_object` with a `schema` (llama-cpp-python's
server rejects json_schema), a forced tool call, and finally the prompt alone (tolerant parsing)."""
_structured_by_server: dict[tuple[str, str], str] = {}


class CompletionOptions(TypedDict, total=False):
    """The request options `LLM.complete` passes on to the server (openai's types)."""

    max_tokens: int
    temperature: float
    seed: int
    response_format: ResponseFormat
    tool_choice: ChatCompletionToolChoiceOptionParam
    extra_body: dict[str, Any]
    """Fields outside OpenAI's API (llama-cpp-python's `schema`), merged into the request body."""


def _wire(
    messages: list[dict], tools: list[dict] | None
) -> tuple[list[ChatCompletionMessageParam], list[ChatCompletionToolUnionParam]]:
    """The app's messages and tool schemas as the SDK's types: they are built as JSON dicts of the
    OpenAI wire shape (recorded in steps, sent to the simulator), which openai's TypedDicts describe."""
    return cast("list[ChatCompletionMessageParam]", messages), cast(
        "list[ChatCompletionToolUnionParam]", tools or []
    )


class LLMError(RuntimeError):
    def __init__(self, message: str, *, retryable: bool = True, kind: str = "error") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.kind = kind


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str

    def parsed(self) -> dict:
        """The arguments as a dict, or a clear LLMError when the model sent malformed JSON."""
        try:
            obj = json.loads(self.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise LLMError(
                f"The model sent malformed arguments for tool '{self.name}' ({exc.msg} at char {exc.pos}).",
                kind="bad_tool_json",
            ) from exc
        if not isinstance(obj, dict):
            raise LLMError(
                f"The model sent non-object arguments for tool '{self.name}'.", kind="bad_tool_json"
            )
        return obj


@dataclass
class LLMResult:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    model: str = ""
    finish_reason: str | None = None
    stopped: bool = False
    structured: str = ""
    """How JSON was asked for (one of STRUCTURED) when the call was `complete_json`."""


class LLM:
    """A provider's client. Thread-safe: the openai client is shared across worker threads."""

    def __init__(
        self,
        provider: ProviderSettings,
        sim: SimConfig | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self._transport = transport  # tests: a recorded server (agent_core.simulator.replay)
        self.sim_core: SimCore | None = None
        self.local: LocalServer | None = None
        self._client: openai.OpenAI | None = None
        self.model = provider.model
        if provider.kind == "local":
            # Started (or attached to) on first use, on a worker thread: loading takes seconds.
            self._local_path = provider.model_path
            return
        self._client = self._make_client(provider, sim)

    def _make_client(self, provider: ProviderSettings, sim: SimConfig | None) -> openai.OpenAI:
        transport: httpx.BaseTransport | None = self._transport
        base_url, key = provider.base_url, provider.resolved_key() or "not-needed"  # local servers ignore it
        if provider.kind == "sim":
            self.sim_core = SimCore(sim or SimConfig())
            transport, base_url, key = SimTransport(self.sim_core), base_url or SIM_BASE_URL, "sim"
        http = httpx.Client(transport=transport, timeout=provider.timeout_s) if transport else None
        return openai.OpenAI(
            base_url=base_url,
            api_key=key,
            max_retries=provider.max_retries,
            timeout=provider.timeout_s,
            # openai 3 annotates httpx2.Client; a legacy httpx.Client is its documented runtime-only
            # escape hatch (httpx2.md), which the simulator's and the recordings' httpx transports need.
            http_client=http,  # type: ignore[arg-type]
        )

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            self.prepare()
        assert self._client is not None
        return self._client

    def prepare(self, progress: Callable[[str], None] | None = None) -> None:
        """Start (or attach to) the local model's server; nothing to do for other providers."""
        if self.provider.kind != "local":
            return
        try:
            if self.local is None:
                self.local = shared_server(self._local_path)
                self.model = self.local.model_name
            url = self.local.ensure(progress)
        except LocalModelError as exc:
            raise LLMError(f"The local model cannot start: {exc}", retryable=False, kind="local") from exc
        if self._client is None or str(self._client.base_url).rstrip("/") != url:
            self._client = openai.OpenAI(
                base_url=url,
                api_key="local",
                max_retries=self.provider.max_retries,
                timeout=self.provider.timeout_s,
            )

    def _call(self, fn: Callable[[], T]) -> T:
        """Run a client call; a local server that died is started again and the call retried once."""
        try:
            return fn()
        except openai.APIConnectionError:
            if self.local is None:
                raise
            self.prepare()
            return fn()

    def _defaults(self, kw: CompletionOptions) -> CompletionOptions:
        """Greedy decoding for the local model: a 135M model sampled at the server's default
        temperature wanders off the memory in its prompt (3 of 3 "Lisbon" at 0, 1 of 3 by default)."""
        if self.provider.kind == "local":
            kw.setdefault("temperature", 0.0)
        return kw

    def complete(
        self, messages: list[dict], *, tools: list[dict] | None = None, **kw: Unpack[CompletionOptions]
    ) -> LLMResult:
        t0 = time.perf_counter()
        kw = self._defaults(kw)
        sent, schemas = _wire(messages, tools)
        try:
            resp = self._call(
                lambda: self.client.chat.completions.create(
                    model=self.model, messages=sent, tools=schemas or openai.omit, **kw
                )
            )
        except openai.OpenAIError as exc:
            raise explain(exc, self.provider) from exc
        if not resp.choices:
            raise LLMError("The model returned no choices (an empty answer).", kind="empty")
        msg = resp.choices[0].message
        usage = resp.usage
        calls = [  # only function tools are sent, so a custom tool call (no `function`) is not ours
            ToolCall(tc.id, tc.function.name, tc.function.arguments)
            for tc in msg.tool_calls or []
            if tc.type == "function"
        ]
        return LLMResult(
            content=msg.content or "",
            tool_calls=calls,
            prompt_tokens=usage.prompt_tokens if usage else estimate_tokens(messages),
            completion_tokens=usage.completion_tokens
            if usage
            else estimate_tokens([msg.content or "", *(c.arguments for c in calls)]),
            latency_ms=(time.perf_counter() - t0) * 1000,
            model=resp.model,
            finish_reason=resp.choices[0].finish_reason,
        )

    def complete_json(
        self, messages: list[dict], schema: dict, *, name: str = "answer", max_tokens: int = 600
    ) -> LLMResult:
        """A JSON answer to `schema`, asked the strongest way this server accepts (remembered per
        server and model); `content` is the JSON text, `structured` says how it was obtained.

        A rung the server refuses (an HTTP 4xx/5xx naming the request) or answers with something
        that is not a JSON object moves down the ladder; a timeout, a 429 or a refused key does not.
        """
        key = (str(self.client.base_url), self.model)
        start = STRUCTURED.index(_structured_by_server.get(key, STRUCTURED[0]))
        result = LLMResult()
        for rung in STRUCTURED[start:]:
            kw: CompletionOptions = {"max_tokens": max_tokens}  # a weak model under a grammar can loop
            tools: list[dict] | None = None
            if rung == "json_schema":
                kw["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name.replace(".", "_")[:64], "schema": schema},
                }
            elif rung == "json_object":  # `schema` is llama-cpp-python's, not in OpenAI's type
                kw["extra_body"] = {"response_format": {"type": "json_object", "schema": schema}}
            elif rung == "tool":
                fn = {"name": "answer", "description": "Give the answer.", "parameters": schema}
                tools = [{"type": "function", "function": fn}]
                kw["tool_choice"] = {"type": "function", "function": {"name": "answer"}}
            try:
                result = self.complete(messages, tools=tools, **kw)
            except LLMError as exc:
                if exc.kind == "status" and rung != STRUCTURED[-1]:
                    continue  # this server does not take this form of request
                raise
            if rung == "tool" and result.tool_calls:
                result.content = result.tool_calls[0].arguments
                result.tool_calls = []
            result.structured = rung
            if rung == STRUCTURED[-1] or _is_json_object(result.content):
                _structured_by_server[key] = rung
                return result
        return result

    def stream(
        self,
        messages: list[dict],
        *,
        tools: list[dict] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[str | LLMResult]:
        """Yield text deltas, then one final LLMResult (with tool calls and usage)."""
        t0 = time.perf_counter()
        result = LLMResult(model=self.model)
        calls: dict[int, dict] = {}
        saw_choices = opened = False
        sent, schemas = _wire(messages, tools)
        try:
            stream = self._call(
                lambda: self.client.chat.completions.create(
                    model=self.model,
                    messages=sent,
                    tools=schemas or openai.omit,
                    stream=True,
                    stream_options={"include_usage": True},
                    **self._defaults({}),
                )
            )
            opened = True
            with stream:
                for chunk in stream:
                    if chunk.usage:
                        result.prompt_tokens = chunk.usage.prompt_tokens
                        result.completion_tokens = chunk.usage.completion_tokens
                    saw_choices = saw_choices or bool(chunk.choices)
                    for choice in chunk.choices:
                        delta = choice.delta
                        if delta.content:
                            if result.ttft_ms is None:
                                result.ttft_ms = (time.perf_counter() - t0) * 1000
                            result.content += delta.content
                            yield delta.content
                        for tc in delta.tool_calls or []:
                            slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                            slot["id"] = tc.id or slot["id"]
                            if tc.function:
                                slot["name"] = tc.function.name or slot["name"]
                                slot["arguments"] += tc.function.arguments or ""
                        if choice.finish_reason:
                            result.finish_reason = choice.finish_reason
                    if should_stop():
                        result.stopped = True
                        break
        except openai.APIConnectionError as exc:  # the SDK wraps a transport error mid-stream too
            if not opened or isinstance(exc, openai.APITimeoutError):
                raise explain(exc, self.provider) from exc
            raise _broke(exc.__cause__ or exc) from exc
        except openai.OpenAIError as exc:
            raise explain(exc, self.provider) from exc
        except httpx.HTTPError as exc:  # a transport error the SDK let through
            raise _broke(exc) from exc
        if not result.stopped and not saw_choices:
            raise LLMError("The model returned no choices (an empty answer).", kind="empty")
        if not result.stopped and result.finish_reason is None:
            raise LLMError(
                "The model's stream ended before the answer was complete (truncated).", kind="truncated"
            )
        result.tool_calls = [ToolCall(c["id"], c["name"], c["arguments"]) for _, c in sorted(calls.items())]
        if not result.prompt_tokens and not result.completion_tokens:  # llama.cpp streams no usage
            result.prompt_tokens = estimate_tokens(messages)
            result.completion_tokens = estimate_tokens(
                [result.content, *(c.arguments for c in result.tool_calls)]
            )
        result.latency_ms = (time.perf_counter() - t0) * 1000
        yield result


def _broke(exc: BaseException) -> LLMError:
    return LLMError(f"The connection to the model broke mid-answer: {exc}", kind="connection")


def estimate_tokens(parts: list) -> int:
    """About four characters a token: for servers that report no usage (counts stay visible)."""
    text = "".join(p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in parts)
    return max(1, len(text) // 4) if text else 0


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _error_text(exc: openai.APIStatusError) -> str:
    """The server's own words: OpenAI nests them ({"error": {"message"}}), Ollama sends a string."""
    body = exc.body
    if isinstance(body, dict):
        body = body.get("error", body)
    if isinstance(body, dict):
        body = body.get("message") or body
    text = body if isinstance(body, str) and body.strip() else exc.message
    return str(text)[:500]


def explain(exc: Exception, provider: ProviderSettings) -> LLMError:
    """A sentence a person can act on, for each way a call can fail (keys a server echoed removed)."""
    error = _explain(exc, provider)
    error.args = (scrub(str(error)),)
    return error


def _explain(exc: Exception, provider: ProviderSettings) -> LLMError:
    where = {"sim": "the simulator", "local": "the local model"}.get(provider.kind, provider.base_url)
    if isinstance(exc, openai.RateLimitError):
        ra = exc.response.headers.get("retry-after") if exc.response is not None else None
        wait = f" Retry after {ra}s." if ra else ""
        return LLMError(f"Rate limited by {where} (429).{wait}", kind="rate_limit")
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(f"{where} did not answer within {provider.timeout_s:g}s (timeout).", kind="timeout")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(f"Cannot reach {where}: {exc}.", kind="connection")
    if isinstance(exc, openai.AuthenticationError):
        return LLMError(
            f"{where} refused the API key (401). Check the key in Settings.", retryable=False, kind="auth"
        )
    if isinstance(exc, openai.APIStatusError):
        return LLMError(
            f"{where} answered with an error ({exc.status_code}): {_error_text(exc)}", kind="status"
        )
    return LLMError(f"The model call failed: {exc}", kind="error")
