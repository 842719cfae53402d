"""The simulator over real HTTP (serve-sim) and its chaos knobs, through the real openai client."""

from __future__ import annotations

import openai
import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.llm import LLM, LLMError
from agent_core.runtime.settings import ProviderSettings
from agent_core.simulator import SimConfig
from agent_core.simulator.server import serve_in_thread
from labkit import make_settings


@pytest.fixture
def server():  # noqa: ANN201
    srv, url = serve_in_thread(0, SimConfig(ttft_ms=0, tokens_per_s=500, hang_s=3))
    yield srv, url
    srv.shutdown()
    srv.server_close()


def test_openai_client_streams_over_http(server) -> None:  # noqa: ANN001
    _srv, url = server
    client = openai.OpenAI(base_url=url, api_key="unused")
    stream = client.chat.completions.create(
        model="sim-1", messages=[{"role": "user", "content": "Tell me about sailing in Greece"}], stream=True
    )
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert len(pieces) > 3
    assert "".join(pieces).strip()
    models = client.models.list()
    assert models.data[0].id == "sim-1"


def test_deterministic_per_seed(server) -> None:  # noqa: ANN001
    _srv, url = server
    llm = LLM(ProviderSettings(kind="openai", base_url=url, model="sim-1"))
    msgs = [{"role": "user", "content": "Any thoughts on weekend plans?"}]
    assert llm.complete(msgs).content == llm.complete(msgs).content
    other = LLM(ProviderSettings(kind="sim"), SimConfig.instant(seed=7))
    assert other.complete(msgs).content  # a different seed may phrase it differently, but answers


def test_tool_calls_in_wire_format(server) -> None:  # noqa: ANN001
    from agent_core.runtime.tools import SAVE_MEMORY_SCHEMA

    _srv, url = server
    llm = LLM(ProviderSettings(kind="openai", base_url=url, model="sim-1"))
    res = llm.complete([{"role": "user", "content": "I live in Lisbon."}], tools=[SAVE_MEMORY_SCHEMA])
    assert res.tool_calls[0].name == "save_memory"
    assert res.tool_calls[0].parsed()["facts"][0]["content"] == "Lives in Lisbon"


@pytest.mark.parametrize(
    ("knob", "kind", "words"),
    [
        ("rate_limit_rate", "rate_limit", "429"),
        ("error_rate", "status", "500"),
        ("timeout_rate", "timeout", "timeout"),
        ("truncate_rate", "truncated", "truncated"),
    ],
)
def test_chaos_gives_clear_errors_and_keeps_the_message(tmp_path, knob: str, kind: str, words: str) -> None:  # noqa: ANN001
    sim = SimConfig(ttft_ms=0, tokens_per_s=0, retry_after_s=0.01, **{knob: 1.0})
    settings = make_settings(sim=sim, streaming=True)
    settings.provider.max_retries = 1
    settings.provider.timeout_s = 2
    lab = Lab(tmp_path / "d", settings)
    lab.warm_up()
    conv = lab.conversations.create("default").id
    res = ChatAgent(lab, memory_mode="background").turn(conv, "My name is Ada and I live in Paris.")
    assert res.error and words in res.error.lower()
    msgs = lab.conversations.messages(conv)
    assert msgs[0].role == "user" and msgs[0].content == "My name is Ada and I live in Paris."
    assert msgs[1].status == "error"
    lab.close()


def test_malformed_tool_json_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    settings = make_settings(
        sim=SimConfig(ttft_ms=0, tokens_per_s=0, malformed_tool_rate=1.0), streaming=False
    )
    lab = Lab(tmp_path / "d", settings)
    lab.warm_up()
    conv = lab.conversations.create("default").id
    res = ChatAgent(lab, memory_mode="hot_path").turn(conv, "I live in Rome.")
    assert "malformed arguments for tool 'save_memory'" in res.error
    assert lab.conversations.messages(conv)[0].content == "I live in Rome."
    lab.close()


def test_rate_limit_over_http_names_retry_after(tmp_path) -> None:  # noqa: ANN001
    srv, url = serve_in_thread(0, SimConfig(ttft_ms=0, rate_limit_rate=1.0, retry_after_s=0.01))
    try:
        llm = LLM(ProviderSettings(kind="openai", base_url=url, model="sim-1", max_retries=0))
        with pytest.raises(LLMError, match=r"429\)\. Retry after 0.01s"):
            llm.complete([{"role": "user", "content": "hi"}])
    finally:
        srv.shutdown()
        srv.server_close()


def test_openai_embedder_over_http(server) -> None:  # noqa: ANN001
    from memory.embedders import OpenAIEmbedder

    _srv, url = server
    client = openai.OpenAI(base_url=url, api_key="unused")
    vecs = OpenAIEmbedder(lambda: client)(["hello", "world"])
    assert len(vecs) == 2 and len(vecs[0]) == 256


def test_the_simulator_alone_speaks_every_task() -> None:
    """Registration is explicit (simulator.tasks.load_all): serve-sim needs no page imported first."""
    import subprocess
    import sys

    code = (
        "from agent_core.simulator import SimCore\n"
        "from agent_core.simulator.brain import TASKS, TOOL_RULES\n"
        "SimCore()\n"
        "print(sorted(TASKS), len(TOOL_RULES))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in ("triage", "schedule", "research", "collab_action", "genui", "sheet_cell", "plan_columns"):
        assert f"'{name}'" in out, out
    assert int(out.split()[-1]) >= 5  # the generative UI tool rules


def test_every_architecture_is_selectable_and_visible_in_the_trace(tmp_path) -> None:  # noqa: ANN001
    from agent_core.chat.agent import ChatAgent
    from agent_core.lab import Lab
    from agent_core.runtime.runs import load_run
    from agent_core.runtime.settings import ARCHITECTURES
    from labkit import make_settings

    lab = Lab(tmp_path / "d", make_settings())
    try:
        lab.warm_up()
        names = {}
        for arch in ARCHITECTURES:
            r = ChatAgent(lab, "p", memory_mode="background", architecture=arch).turn(
                lab.conversations.create("p").id, "Explain how tides work"
            )
            run, steps = load_run(lab.engine, r.run_id)
            assert not r.error and r.reply and run.architecture == arch
            names[arch] = [s.name for s in steps if s.kind == "llm_call"]
        assert names["plan_and_solve"][:2] == ["plan", "solve"]
        assert names["reflection"] == ["draft", "critique", "revise"]
    finally:
        lab.close()
