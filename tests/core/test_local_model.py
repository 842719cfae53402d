"""The real local model end to end: llama.cpp's server with SmolLM2-135M, through the openai client.

Skipped until `./scripts/local-model` has installed it (CI runs that script first, so CI runs these).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.runtime.local_model import default_gguf, server_installed

pytestmark = pytest.mark.skipif(
    not (server_installed() and default_gguf()), reason="local model not installed (./scripts/local-model)"
)


@pytest.fixture(scope="module")
def local_lab(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - Lab
    from agent_core.lab import Lab
    from labkit import make_settings

    settings = make_settings()
    settings.provider.kind = "local"
    settings.provider.max_retries = 0
    lab = Lab(tmp_path_factory.mktemp("local") / "data", settings)
    lab.warm_up()
    assert lab.prepare_model().startswith("local model ready")
    yield lab
    lab.close()


@pytest.mark.parametrize("mode", ["hot_path", "background"])
def test_where_do_i_live_in_a_new_conversation(local_lab, mode: str) -> None:  # noqa: ANN001
    from agent_core.chat.agent import ChatAgent

    lab, profile = local_lab, f"ada-{mode}"
    agent = ChatAgent(lab, profile, memory_mode=mode)
    first = agent.turn(
        lab.conversations.create(profile).id, "My name is Ada and I live in Lisbon.", stream=False
    )
    assert not first.error, first.error
    assert lab.background.flush(120)
    # The raw turn is always kept, whatever the small model made of the extraction.
    assert any("Lisbon" in m.content for m in lab.store.list(profile, "episodic"))
    second = agent.turn(lab.conversations.create(profile).id, "Where do I live?", stream=True)
    assert not second.error, second.error
    assert "Lisbon" in second.reply, second.reply
    if mode == "hot_path" and not first.written:
        assert first.notes, "a hot path with no tool call must say so"


def test_a_killed_server_is_started_again(local_lab) -> None:  # noqa: ANN001
    lab = local_lab
    server = lab.llm.local
    assert server is not None
    before = server.port
    server.kill_for_test()
    result = lab.llm.complete([{"role": "user", "content": "Say OK."}], max_tokens=4)
    assert result.content is not None and server.restarts >= 1 and server.port != before


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    from agent_core.runtime.llm import LLM, LLMError
    from agent_core.runtime.settings import ProviderSettings

    llm = LLM(ProviderSettings(kind="local", model_path=str(tmp_path / "nope.gguf")))
    with pytest.raises(LLMError, match="does not exist"):
        llm.complete([{"role": "user", "content": "hi"}])
