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
