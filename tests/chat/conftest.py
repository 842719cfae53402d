"""Chat page fixtures: a real Lab (tmp dir, simulator, hash embedder) behind a LabContext."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from agent_core.simulator import SimConfig
from labkit import PageLabs, make_settings
from ui_patterns.chat import ChatPage

SLOW = {"ttft_ms": 0.0, "tokens_per_s": 200.0}

MakePage = Callable[..., ChatPage]


@pytest.fixture
def engine_kind() -> str:
    """Where turns run: "local" (threads here) or "process" (the engine's child, as in the app)."""
    return "local"


@pytest.fixture
def make_page(qtbot: QtBot, tmp_path: Path, engine_kind: str) -> Iterator[MakePage]:
    """Build a ChatPage over a fresh Lab; `sim` overrides SimConfig, other kwargs override Settings."""
    labs = PageLabs(qtbot, tmp_path, engine_kind)

    def make(sim: dict | None = None, **overrides: object) -> ChatPage:
        settings = make_settings(**overrides)
        if sim is not None:
            settings.sim = SimConfig(**sim)
        return labs.open(settings, ChatPage, (900, 700))

    yield make
    labs.close()


def send_and_wait(qtbot: QtBot, page: ChatPage, text: str, timeout: int = 10_000) -> object:
    """Send and wait until the turn has finished and settled (versions, list order)."""
    with qtbot.waitSignal(page.turn_settled, timeout=timeout) as blocker:
        page.send(text)
    return blocker.args[0].result
