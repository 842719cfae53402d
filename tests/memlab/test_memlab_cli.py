"""`agent-ux-lab bench` end to end: result files, plots, the table and progress on stderr."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from agent_core.cli.main import main


def test_bench_scenario_writes_results_and_plots(
    tmp_path: Path, work_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(work_dir))  # the strategies' data dirs
    out = tmp_path / "run"
    code = main(
        [
            "bench",
            "--dataset",
            "scenario",
            "1",
            "--strategies",
            "off,semantic",
            "--k",
            "5,10",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "semantic" in captured.out and "extraction" in captured.out  # the strategy × category table
    header = next(line for line in captured.out.splitlines() if line.startswith("strategy "))
    assert header.split()[:5] == ["strategy", "recall@5", "recall@10", "F1", "contains"]
    assert "ETA" in captured.err
    for name in (
        "results.json",
        "results.csv",
        "details.json",
        "recall.png",
        "latency_accuracy.png",
        "staleness.png",
    ):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "results.json").read_text())
    assert {row["strategy"] for row in data["rows"]} == {"off", "semantic"}
    assert all("contains" in row for row in data["rows"])
    assert set(data["summary"]) == {"off", "semantic"} and "contains" in data["summary"]["semantic"]
    assert data["summary"]["semantic"]["contains"] >= data["summary"]["off"]["contains"]
    assert "recall@10" in (out / "results.csv").read_text().splitlines()[0]
    assert (out / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--dataset", "scenario", "tiny", "--strategies", "off,magic"]) == 2
    assert "unknown strategy 'magic'" in capsys.readouterr().err
    assert main(["bench", "--dataset", "locomo", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err.lower()
    assert main(["bench", "--dataset", "scenario", "huge"]) == 2
    assert "unknown size" in capsys.readouterr().err
