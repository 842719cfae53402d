"""The invariant: fused recall never loses to the better of its two parts by more than noise.

Run through the real runner (SQLite + Chroma, the simulator's hot path) on generated long
conversations and on the shared LoCoMo sample; "dense", "lexical" and "fused" are the bench's
selectable strategies of the same name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.memlab import load_locomo
from agent_core.memlab.longconv import generate_longconv
from agent_core.memlab.metrics import mean_by
from agent_core.memlab.runner import RunConfig, run_benchmark
from agent_core.memlab.strategies import parse_strategies

NOISE = 0.02


def _recall(dataset, work_dir: Path, k: int) -> dict[str, float]:  # noqa: ANN001
    config = RunConfig(parse_strategies("dense,lexical,fused"), ks=[k], work_dir=work_dir)
    rows = [r for r in run_benchmark(dataset, config).record.flat_rows() if r["category"] != "adversarial"]
    return {key[0]: agg.mean for key, agg in mean_by(rows, f"recall@{k}", keys=("strategy",)).items()}


@pytest.mark.parametrize("k", [10])
def test_fused_holds_its_own_on_long_generated_conversations(work_dir: Path, k: int) -> None:
    dataset = load_locomo(generate_longconv(2, seed=11), name="synthetic")
    got = _recall(dataset, work_dir, k)
    assert got["fused"] >= max(got["dense"], got["lexical"]) - NOISE, got


def test_fused_holds_its_own_on_the_shared_sample(samples_dir: Path, work_dir: Path) -> None:
    got = _recall(load_locomo(samples_dir / "locomo_sample.json"), work_dir, 1)
    assert got["fused"] >= max(got["dense"], got["lexical"]) - NOISE, got
