"""`chat --stream` says what went wrong, like the non-streaming mode (it printed blank lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.cli import main as cli_main
from agent_core.settings import Settings


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
