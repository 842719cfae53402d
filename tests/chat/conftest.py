"""Chat page fixtures: a real Lab (tmp dir, simulator, hash embedder) behind a LabContext."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from agent_core.lab import Lab
from agent_core.runtime.settings import Settings
from agent_core.simulator import SimConfig
from ui_patterns.chat import ChatPage
from ui_patterns.common import LabContext
from ui_patterns.common.workers import active_workers

SLOW = {"ttft_ms": 0.0, "tokens_per_s": 200.0}

MakePage = Callable[..., ChatPage]


@pytest.fixture
def engine_kind() -> str:
    """Where turns run: "local" (threads here) or "process" (the engine's child, as in the app)."""
    return "local"


@pytest.fixture
def make_page(qtbot: QtBot, tmp_path: Path, engine_kind: str) -> Iterator[MakePage]:
    """Build a ChatPage over a fresh Lab; `sim` overrides SimConfig, other kwargs override Settings."""
    made: list[tuple[ChatPage, LabContext, Lab]] = []

    def make(sim: dict | None = None, **overrides: object) -> ChatPage:
        # as tests/conftest.py's make_settings: hash embedder, short debounce
        settings = Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.05)
        for k, v in overrides.items():
            setattr(settings, k, v)
        if sim is not None:
            settings.sim = SimConfig(**sim)
        lab = Lab(tmp_path / f"data{len(made)}", settings, chroma_process=engine_kind == "process")
        lab.warm_up()
        ctx = LabContext(lab)
        page = ChatPage(ctx)
        qtbot.addWidget(page)
        page.resize(900, 700)
        page.show()
        made.append((page, ctx, lab))
        return page

    yield make
    for page, ctx, lab in made:
        page.shutdown()
        qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
        ctx.close()
        lab.close()


def send_and_wait(qtbot: QtBot, page: ChatPage, text: str, timeout: int = 10_000) -> object:
    """Send and wait until the turn has finished and settled (versions, list order)."""
    with qtbot.waitSignal(page.turn_settled, timeout=timeout) as blocker:
        page.send(text)
    return blocker.args[0].result
