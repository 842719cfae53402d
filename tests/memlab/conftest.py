"""Fixtures for the Memory Lab tests: the shared sample files, when the checkout has them."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


@pytest.fixture
def samples_dir() -> Path:
    if not (SAMPLES / "locomo_sample.json").exists():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    return SAMPLES
