"""`chat --stream` says what went wrong, like the non-streaming mode (it printed blank lines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_core.cli.main import main as cli_main
from agent_core.runtime.settings import Settings


@pytest.mark.parametrize(
    ("stream", "knob", "said"), [(True, "truncate_rate", "truncated"), (False, "error_rate", "error")]
)
def test_a_failed_reply_is_a_clear_error(tmp_path: Path, capsys, stream: bool, knob: str, said: str) -> None:  # noqa: ANN001
    settings = Settings(embedder="hash-256")
    settings.sim.ttft_ms, settings.sim.tokens_per_s = 0, 0
    setattr(settings.sim, knob, 1.0)
    settings.provider.max_retries = 0
    settings.save(tmp_path)
    rc = cli_main(
        ["chat", "--data-dir", str(tmp_path), *(["--stream"] if stream else []), "Tell me a story."]
    )
    out, err = capsys.readouterr()
    assert rc == 1
    if stream:
        assert "error:" in err and said in err and out.strip(), "the error is said; the partial reply stays"
    else:
        assert out.startswith("error:") and said in out


def test_a_connection_cut_mid_answer_says_so() -> None:
    """openai wraps a transport error inside a stream as APIConnectionError: not "Cannot reach"."""
    import json

    import httpx

    from agent_core.runtime.llm import LLM, LLMError
    from agent_core.runtime.settings import ProviderSettings

    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}],
    }

    def body() -> Iterator[bytes]:
        yield f"data: {json.dumps(chunk)}\n\n".encode()
        raise httpx.ReadError("connection reset by peer")

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    provider = ProviderSettings(kind="openai", base_url="http://model.test/v1", model="m", max_retries=0)
    llm = LLM(provider, transport=httpx.MockTransport(answer))
    pieces: list[object] = []
    with pytest.raises(LLMError) as err:
        pieces.extend(llm.stream([{"role": "user", "content": "hi"}]))
    assert pieces == ["Hel"]
    assert err.value.kind == "connection" and "broke mid-answer" in str(err.value), err.value
    assert "connection reset by peer" in str(err.value)
