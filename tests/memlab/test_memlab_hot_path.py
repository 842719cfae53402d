"""The bench's hot_path is the chat's: the chat prompt and its save_memory tool, not the extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.memlab import load_locomo
from agent_core.memlab.runner import RunConfig, run_benchmark
from agent_core.memlab.strategies import parse_strategies
from agent_core.runtime.tools import SAVE_MEMORY_SCHEMA


def test_hot_path_facts_come_from_the_save_memory_tool(lab) -> None:  # noqa: ANN001
    seen: list[object] = []
    complete = lab.llm.complete
    lab.llm.complete = lambda messages, **kw: seen.append(kw.get("tools")) or complete(messages, **kw)
    facts, _result = ChatAgent(lab, "p").hot_path_facts("My name is Ada and I live in Paris.")
    assert {f["content"] for f in facts} >= {"Name is Ada", "Lives in Paris"}
    assert seen == [[SAVE_MEMORY_SCHEMA]]


def test_the_bench_hot_path_runs_the_chat_tool_call(
    samples_dir: Path, work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = ChatAgent.hot_path_facts

    def spy(self: ChatAgent, text: str, history: list[dict] | None = None) -> tuple:
        calls.append(text)
        return real(self, text, history)

    monkeypatch.setattr(ChatAgent, "hot_path_facts", spy)
    extract = pytest.fail  # the extraction prompt is the background path, not the hot path
    dataset = load_locomo(samples_dir / "locomo_sample.json")
    config = RunConfig(parse_strategies("hot_path"), ks=[5], work_dir=work_dir)
    monkeypatch.setattr(
        "memory.consolidation.MemoryWriter.extract", lambda *a, **k: extract("extractor called")
    )
    record = run_benchmark(dataset, config).record
    assert calls and record.flat_rows()
