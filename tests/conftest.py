"""Shared test set-up: Qt runs offscreen and never touches the network or the user's files."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.setswitchinterval(0.001)  # as the app does (ui_patterns.common.stall.favour_gui_thread)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from labkit import make_settings  # noqa: E402


@pytest.fixture
def settings():  # noqa: ANN201
    return make_settings()


@pytest.fixture
def lab(tmp_path: Path, settings) -> Iterator:  # noqa: ANN001
    """A real Lab in a temp data dir: SQLite file, Chroma folder, the simulator behind openai."""
    from agent_core.lab import Lab

    lab = Lab(tmp_path / "data", settings)
    lab.warm_up()
    yield lab
    lab.close()


# The fast suite is `./scripts/test -m "not slow"` (a developer's loop); CI runs everything. Slow:
# whole-process harnesses (kills, four CLIs at once, the real local model), LoCoMo-sized runs,
# and the second, child-process variant of page tests (the in-process variant stays fast).
SLOW_FILES = (
    "reliability/test_concurrent_processes.py",
    "reliability/test_crash_harness.py",
    "reliability/test_fault_injection.py",  # real backoff waits
    "core/test_local_model.py",
    "core/test_engine.py",  # spawns the engine and index children
)
SLOW_TESTS = {
    "test_bench_scenario_writes_results_and_plots",
    "test_sigkill_during_background_consolidation_loses_and_duplicates_nothing",
    "test_cli_ambient_run_with_answers",
    "test_ten_thousand_rows_load_and_a_column_run_updates_cells_coalesced",
    "test_fused_holds_its_own_on_long_generated_conversations",
    "test_screenshot_renders_offscreen_and_exits",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        path = item.path.as_posix()
        if (
            path.endswith(SLOW_FILES)
            or getattr(item, "originalname", item.name) in SLOW_TESTS
            or "process" in params.values()
        ):
            item.add_marker(pytest.mark.slow)
