"""The simulator as an OpenAI-compatible endpoint: wire format, pacing, and chaos knobs.

`SimCore.handle` is shared by the in-process httpx transport and the loopback HTTP server, so both
speak exactly the same Chat Completions (and embeddings) dialect, streaming included.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields

from agent_core.simulator.brain import Reply, respond

_TOKEN = re.compile(r"\s*[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]|\s*[^\s\u4e00-\u9fff]+|\s+")


@dataclass
class SimConfig:
    """Pacing and chaos. Rates are probabilities per request, drawn from a seeded sequence."""

    seed: int = 0
    ttft_ms: float = 250.0
    tokens_per_s: float = 60.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_tool_rate: float = 0.0
    truncate_rate: float = 0.0
    empty_choices_rate: float = 0.0
    retry_after_s: float = 1.0
    hang_s: float = 30.0

    @classmethod
    def from_dict(cls, d: dict) -> SimConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def instant(cls, seed: int = 0) -> SimConfig:
        return cls(seed=seed, ttft_ms=0.0, tokens_per_s=0.0)


def split_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) or ([text] if text else [])


def count_tokens(text: str) -> int:
    return len([t for t in split_tokens(text) if t.strip()])


def prompt_tokens(body: dict) -> int:
    n = 0
    for m in body.get("messages", []):
        c = m.get("content")
        n += 4 + count_tokens(c if isinstance(c, str) else json.dumps(c or "", ensure_ascii=False))
        for tc in m.get("tool_calls") or []:
            n += count_tokens(json.dumps(tc, ensure_ascii=False))
    return n + sum(count_tokens(json.dumps(t)) for t in body.get("tools") or [])


class SimError(Exception):
    """A chaos-injected failure the transport turns into a status code or a timeout."""

    def __init__(self, status: int, message: str, headers: dict | None = None, timeout: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.timeout = timeout


@dataclass
class Planned:
    """What one request will produce: JSON, or a paced SSE stream."""

    status: int
    headers: dict
    body: dict | None = None
    chunks: list[tuple[float, bytes]] | None = None  # (delay before, bytes)


class SimCore:
    def __init__(self, config: SimConfig | None = None, embed_dim: int = 256) -> None:
        from agent_core.simulator.tasks import load_all  # here: the task modules import the brain

        load_all()
        self.config = config or SimConfig()
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.embed_dim = embed_dim
        self.requests = 0

    def _chaos_rng(self) -> random.Random:
        with self._lock:
            n = next(self._counter)
            self.requests += 1
        return random.Random(f"chaos:{self.config.seed}:{n}")

    def handle(self, method: str, path: str, body: dict | None) -> Planned:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "GET" and path.endswith("/models"):
            return Planned(
                200,
                {},
                {"object": "list", "data": [{"id": "sim-1", "object": "model", "owned_by": "agent-ux-lab"}]},
            )
        if method != "POST" or body is None:
            return Planned(404, {}, _err(f"no route {method} {path}", "not_found"))
        if path.endswith("/embeddings"):
            return self._embeddings(body)
        if not path.endswith("/chat/completions"):
            return Planned(404, {}, _err(f"no route {method} {path}", "not_found"))
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return Planned(400, {}, _err("'messages' must be a non-empty list", "invalid_request_error"))
        cfg = self.config
        rng = self._chaos_rng()
        if rng.random() < cfg.timeout_rate:
            raise SimError(0, "simulated timeout", timeout=True)
        if rng.random() < cfg.rate_limit_rate:
            ra = f"{cfg.retry_after_s:g}"
            return Planned(
                429,
                {"retry-after": ra},
                _err(f"Rate limit reached (simulated). Retry after {ra}s.", "rate_limit_exceeded"),
            )
        if rng.random() < cfg.error_rate:
            return Planned(500, {}, _err("The simulated server had an internal error.", "server_error"))
        reply = respond(body, seed=int(body.get("seed") or cfg.seed))
        malformed = rng.random() < cfg.malformed_tool_rate
        truncate = rng.random() < cfg.truncate_rate
        empty = rng.random() < cfg.empty_choices_rate
        model = body.get("model") or "sim-1"
        if body.get("stream"):
            return Planned(
                200,
                {"content-type": "text/event-stream"},
                chunks=self._stream(body, reply, model, malformed, truncate, empty),
            )
        return Planned(200, {}, self._completion(body, reply, model, malformed, empty))

    # -- bodies ----------------------------------------------------------------------------------
    def _tool_calls(self, reply: Reply, malformed: bool) -> list[dict]:
        calls = []
        for i, tc in enumerate(reply.tool_calls):
            args = (
                tc["arguments"]
                if isinstance(tc["arguments"], str)
                else json.dumps(tc["arguments"], ensure_ascii=False)
            )
            if malformed:
                args = args[: max(1, len(args) // 2)] + "\u2026"
            calls.append(
                {
                    "id": f"call_{uuid.uuid4().hex[:12]}",
                    "type": "function",
                    "index": i,
                    "function": {"name": tc["name"], "arguments": args},
                }
            )
        return calls

    def _completion(self, body: dict, reply: Reply, model: str, malformed: bool, empty: bool) -> dict:
        cfg = self.config
        text = reply.content or ""
        calls = self._tool_calls(reply, malformed)
        ctoks = count_tokens(text) + sum(count_tokens(c["function"]["arguments"]) for c in calls)
        delay = cfg.ttft_ms / 1000 + (ctoks / cfg.tokens_per_s if cfg.tokens_per_s > 0 else 0)
        if delay > 0:
            time.sleep(delay)
        msg: dict = {"role": "assistant", "content": text if not calls else (text or None)}
        if calls:
            msg["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in calls]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": []
            if empty
            else [{"index": 0, "message": msg, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens(body),
                "completion_tokens": ctoks,
                "total_tokens": prompt_tokens(body) + ctoks,
            },
        }

    def _stream(
        self, body: dict, reply: Reply, model: str, malformed: bool, truncate: bool, empty: bool
    ) -> list[tuple[float, bytes]]:
        cfg = self.config
        cid = f"chatcmpl-{uuid.uuid4().hex[:16]}"
        per_tok = 1.0 / cfg.tokens_per_s if cfg.tokens_per_s > 0 else 0.0

        def ev(delta: dict, finish: str | None = None, **extra: object) -> bytes:
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [] if empty else [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()

        out: list[tuple[float, bytes]] = [(cfg.ttft_ms / 1000, ev({"role": "assistant", "content": ""}))]
        ctoks = 0
        for tok in split_tokens(reply.content or ""):
            out.append((per_tok, ev({"content": tok})))
            ctoks += 1
        calls = self._tool_calls(reply, malformed)
        for c in calls:
            out.append(
                (
                    per_tok,
                    ev(
                        {
                            "tool_calls": [
                                {
                                    "index": c["index"],
                                    "id": c["id"],
                                    "type": "function",
                                    "function": {"name": c["function"]["name"], "arguments": ""},
                                }
                            ]
                        }
                    ),
                )
            )
            for piece in _pieces(c["function"]["arguments"], 24):
                out.append(
                    (per_tok, ev({"tool_calls": [{"index": c["index"], "function": {"arguments": piece}}]}))
                )
                ctoks += 1
        if truncate:
            return out[: max(1, len(out) // 2)]
        out.append((0.0, ev({}, "tool_calls" if calls else "stop")))
        if (body.get("stream_options") or {}).get("include_usage"):
            pt = prompt_tokens(body)
            usage = {"prompt_tokens": pt, "completion_tokens": ctoks, "total_tokens": pt + ctoks}
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [],
                "usage": usage,
            }
            out.append((0.0, f"data: {json.dumps(obj)}\n\n".encode()))
        out.append((0.0, b"data: [DONE]\n\n"))
        return out

    def _embeddings(self, body: dict) -> Planned:
        from memory.embedders import HashEmbedder

        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(inputs, list) or not all(isinstance(x, str) for x in inputs):
            return Planned(
                400, {}, _err("'input' must be a string or a list of strings", "invalid_request_error")
            )
        vecs = HashEmbedder(self.embed_dim)(inputs)
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vecs)]
        n = sum(len(x.split()) for x in inputs)
        return Planned(
            200,
            {},
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "sim-embed"),
                "usage": {"prompt_tokens": n, "total_tokens": n},
            },
        )


def _pieces(s: str, n: int) -> Iterator[str]:
    for i in range(0, len(s), n):
        yield s[i : i + n]


def _err(message: str, code: str) -> dict:
    return {"error": {"message": message, "type": code, "code": code}}
