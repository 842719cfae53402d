"""Inspector fixtures: a real Lab, its LabContext and the page; teardown waits for every worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from memory.prompts import clean_fact


@pytest.fixture
def ctx(lab, qtbot) -> Iterator:  # noqa: ANN001
    from ui_patterns.common.context import LabContext
    from ui_patterns.common.workers import active_workers

    context = LabContext(lab)
    context.set_profile("ada")
    yield context
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
    lab.background.flush(10)
    context.close()


@pytest.fixture
def inspector(ctx, qtbot) -> Iterator:  # noqa: ANN001
    from desktop.inspector import MemoryInspector
    from ui_patterns.common.workers import active_workers

    page = MemoryInspector(ctx)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1200, 700)
    yield page
    qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)


@pytest.fixture
def write_facts(lab) -> Callable[..., object]:  # noqa: ANN001
    """Write facts the way the agent's memory tool does (hot path, consolidated)."""

    def write(*facts: dict, profile: str = "ada") -> object:
        return lab.writer.write(profile, [clean_fact(f) for f in facts], mode="hot_path")

    return write
