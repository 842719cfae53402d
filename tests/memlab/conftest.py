"""Fixtures for the Memory Lab tests: the shared sample files, when the checkout has them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


@pytest.fixture
def samples_dir() -> Path:
    if not (SAMPLES / "locomo_sample.json").exists():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def work_dir(tmp_path: Path) -> Iterator[Path]:
    """Where runners put their temp data dirs: RAM-backed when available (Chroma fsyncs a lot)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="memlab-test-", dir=shm))
    yield path
    shutil.rmtree(path, ignore_errors=True)
