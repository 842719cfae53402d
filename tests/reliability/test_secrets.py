"""API keys never reach disk: a key a server echoes, a key from the environment of any shape, a key
typed into chat (stored redacted, with a notice on the turn)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.llm import LLM
from agent_core.simulator.replay import ReplayTransport
from labkit import make_settings

ENV_KEY = "live-7f3c9a1b2d4e5f60a1"  # not shaped like sk-…: only registration can catch it
TYPED_KEY = "sk-proj-AbC123dEf456GhI789jKl0mNo"


def _database_text(data_dir: Path) -> str:
    """Every text value of every table in the SQLite file, and the raw file bytes."""
    db = data_dir / "lab.sqlite3"
    out = []
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                out += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(out)


def test_a_key_from_the_environment_echoed_in_an_error_is_never_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    settings = make_settings()
    settings.provider.kind, settings.provider.base_url, settings.provider.max_retries = (
        "openai",
        "http://x.test/v1",
        0,
    )
    lab = Lab(tmp_path / "d", settings)
    try:
        lab.warm_up()
        echo = {"error": {"message": f"Forbidden: key {ENV_KEY} has no access", "type": "permission_denied"}}
        lab.llm = LLM(
            settings.provider, transport=ReplayTransport({"exchanges": [{"status": 403, "json": echo}]})
        )
        result = ChatAgent(lab, "p", memory_mode="hot_path").turn(lab.conversations.create("p").id, "hi")
        assert result.error and "[secret]" in result.error and ENV_KEY not in result.error
    finally:
        lab.close()
    stored = _database_text(tmp_path / "d")
    assert "no access" in stored and ENV_KEY not in stored


@pytest.mark.parametrize("mode", ["hot_path", "background"])
def test_a_key_typed_into_chat_is_stored_redacted_with_a_notice(tmp_path: Path, mode: str) -> None:
    lab = Lab(tmp_path / "d", make_settings())
    try:
        lab.warm_up()
        agent = ChatAgent(lab, "p", memory_mode=mode)
        events = list(
            agent.run_turn(
                lab.conversations.create("p").id, f"Remember that my OpenAI key is {TYPED_KEY} please."
            )
        )
        assert lab.background.flush(30)
        notices = [e.data["text"] for e in events if e.kind == "notice"]
        assert notices and "key" in notices[0]
        exported = lab.store.list("p", include_history=True)
        assert exported and all(TYPED_KEY not in m.content for m in exported)
    finally:
        lab.close()
    stored = _database_text(tmp_path / "d")
    assert "[secret]" in stored and TYPED_KEY not in stored
    assert TYPED_KEY.encode() not in (tmp_path / "d" / "lab.sqlite3").read_bytes()
