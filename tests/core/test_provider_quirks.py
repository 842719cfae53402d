"""Server families' quirks, replayed from recordings beneath the real `openai` client.

llama.cpp's recording was captured from llama-cpp-python's server running SmolLM2-135M; the
others are written from each server's documented wire format (see each file's "server").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.runtime.llm import LLM, LLMError, LLMResult
from agent_core.runtime.settings import ProviderSettings
from agent_core.simulator.replay import ReplayTransport
from memory.consolidation import MemoryWriter
from memory.prompts import EXTRACT_SCHEMA, Completion

RECORDINGS = Path(__file__).parent / "recordings"


def _llm(name: str, model: str = "m") -> tuple[LLM, ReplayTransport]:
    transport = ReplayTransport(RECORDINGS / f"{name}.json")
    provider = ProviderSettings(kind="openai", base_url=f"http://{name}.test/v1", model=model, max_retries=0)
    return LLM(provider, transport=transport), transport


def _stream(llm: LLM, **kw: object) -> tuple[str, LLMResult]:
    text, final = "", None
    for piece in llm.stream([{"role": "user", "content": "Where do I live?"}], **kw):
        if isinstance(piece, str):
            text += piece
        else:
            final = piece
    assert final is not None
    return text, final


MESSAGES = [{"role": "system", "content": "Return JSON."}, {"role": "user", "content": "I live in Lisbon."}]


def test_llamacpp_refuses_json_schema_so_the_ladder_uses_json_object_and_remembers(tmp_path: Path) -> None:
    llm, transport = _llm("llamacpp")
    first = llm.complete_json(MESSAGES, EXTRACT_SCHEMA, name="memory.extract")
    assert first.structured == "json_object" and '"facts"' in first.content
    assert [r.get("response_format", {}).get("type") for r in transport.requests] == [
        "json_schema",
        "json_object",
    ]
    llm.complete_json(MESSAGES, EXTRACT_SCHEMA, name="memory.extract")
    assert transport.requests[-1]["response_format"]["type"] == "json_object"  # remembered: no 500 again
    assert transport.requests[-1]["response_format"]["schema"] == EXTRACT_SCHEMA


def test_llamacpp_small_model_output_is_validated_against_the_turn() -> None:
    """The captured SmolLM2 answer holds one grounded fact and one invented one."""
    llm, _ = _llm("llamacpp")

    def complete(messages: list[dict], /, *, purpose: str, schema: dict | None = None) -> Completion:
        r = llm.complete_json(messages, schema, name=purpose) if schema else llm.complete(messages)
        return Completion(r.content, r.prompt_tokens, r.completion_tokens)

    found = MemoryWriter(store=None, completer=complete).extract("My name is Ada and I live in Lisbon.")  # type: ignore[arg-type]
    assert [f["value"] for f in found.facts] == ["Lisbon"]
    assert [f["content"] for f in found.refused] == ["adabu_lisocepcii"]
    assert any("not in what the user said" in n for n in found.notes())


def test_llamacpp_streams_no_usage_so_tokens_are_estimated() -> None:
    llm, _ = _llm("llamacpp")
    text, final = _stream(llm)
    assert text.startswith("I'm glad") and final.finish_reason == "length"
    assert final.prompt_tokens > 0 and final.completion_tokens > 0


def test_llamacpp_forced_tool_call() -> None:
    llm, _ = _llm("llamacpp")
    fn = {"name": "answer", "parameters": EXTRACT_SCHEMA}
    result = llm.complete(MESSAGES, tools=[{"type": "function", "function": fn}])
    assert result.tool_calls and result.tool_calls[0].parsed()["facts"]


def test_ollama_string_error_body_and_one_chunk_tool_call() -> None:
    llm, _ = _llm("ollama", model="missing-model")
    with pytest.raises(LLMError, match="not found"):
        llm.complete(MESSAGES)
    llm, _ = _llm("ollama", model="llama3.2")
    assert llm.complete_json(MESSAGES, EXTRACT_SCHEMA).structured == "json_schema"
    _text, final = _stream(
        llm, tools=[{"type": "function", "function": {"name": "save_memory", "parameters": {}}}]
    )
    assert final.tool_calls[0].name == "save_memory"
    assert final.tool_calls[0].parsed()["facts"][0]["value"] == "Lisbon"
    text, final = _stream(llm)
    assert text == "You live in Lisbon." and final.completion_tokens == 3  # usage from a choice-less chunk


def test_vllm_streams_tool_arguments_in_pieces() -> None:
    llm, _ = _llm("vllm")
    _text, final = _stream(
        llm, tools=[{"type": "function", "function": {"name": "save_memory", "parameters": {}}}]
    )
    (call,) = final.tool_calls
    assert call.id == "chatcmpl-tool-1" and call.parsed()["facts"][0]["content"] == "Lives in Lisbon"


def test_openai_usage_chunk_and_auth_error() -> None:
    llm, _ = _llm("openai", model="gpt-4o-mini")
    text, final = _stream(llm)
    assert text == "Lisbon." and final.prompt_tokens == 20
    llm, _ = _llm("openai", model="bad-key")
    with pytest.raises(LLMError, match="refused the API key") as err:
        llm.complete(MESSAGES)
    assert not err.value.retryable


def test_a_server_that_ignores_response_format_falls_back_to_a_forced_tool_call() -> None:
    llm, transport = _llm("prose_only")
    result = llm.complete_json(MESSAGES, EXTRACT_SCHEMA)
    assert result.structured == "tool" and '"Lisbon"' in result.content
    assert [("tools" in r, r.get("response_format", {}).get("type")) for r in transport.requests] == [
        (False, "json_schema"),
        (False, "json_object"),
        (True, None),
    ]
