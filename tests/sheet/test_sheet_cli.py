"""`agent-ux-lab sheet run|plan`: bad specs fail before running, the input is never overwritten."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from agent_core.cli.main import main
from labkit import make_settings

CUSTOMERS = Path(__file__).resolve().parents[2] / "assets" / "sheet" / "customers.csv"
GOOD_SPEC = [
    {"name": "Industry", "prompt": "Industry of {Company}", "type": "category", "options": ["Software", "Fintech", "Other"]},
    {"name": "Summary", "prompt": "Summary of {Company}", "type": "text"},
    {"name": "Email", "prompt": "Email to {Contact} at {Company} about pricing: {Summary}", "type": "text"},
]  # fmt: skip


@pytest.fixture
def work(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    make_settings().save(data)
    shutil.copy(CUSTOMERS, tmp_path / "in.csv")
    return tmp_path


def _run(work: Path, spec: object, out: str = "out.csv", *extra: str) -> int:
    (work / "spec.json").write_text(json.dumps(spec) if not isinstance(spec, str) else spec)
    argv = ["sheet", "run", str(work / "in.csv"), "--columns", str(work / "spec.json"), "--out", str(work / out),
            "--data-dir", str(work / "data"), "--concurrency", "4", *extra]  # fmt: skip
    return main(argv)


def test_good_spec_writes_every_filled_column(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(work, GOOD_SPEC) == 0
    with (work / "out.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 and list(rows[0])[-3:] == ["Industry", "Summary", "Email"]
    assert all(row["Industry"] in ("Software", "Fintech", "Other") and row["Summary"] for row in rows)
    assert rows[0]["Email"].startswith(("Hi Maria", "Hello Maria", "Dear Maria"))
    out, err = capsys.readouterr()
    assert "Industry" in out and "total" in out and "cost USD" in out
    assert "estimate" in err and "progress: 36/36 cells" in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([{"name": "A", "prompt": "About {Nope}", "type": "text"}], "unknown column {Nope}"),
        ([{"name": "A", "prompt": "{B}", "type": "text"}, {"name": "B", "prompt": "{A}", "type": "text"}],
         "cycle between columns"),
        ([{"name": "A", "prompt": "{Company}", "type": "colour"}], "expected one of"),
        ("[{not json", "not valid JSON"),
    ],
)  # fmt: skip
def test_bad_spec_exits_before_running_and_writes_nothing(
    work: Path, capsys: pytest.CaptureFixture[str], spec: object, message: str
) -> None:
    before = (work / "in.csv").read_bytes()
    assert _run(work, spec) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad spec") and message in err
    assert not (work / "out.csv").exists()
    assert (work / "in.csv").read_bytes() == before
    assert not (work / "data" / "lab.sqlite3").exists()  # refused before any model or run store was opened


def test_out_equal_to_input_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (work / "in.csv").read_bytes()
    assert _run(work, GOOD_SPEC, "in.csv") == 2
    assert "refusing to write over the input" in capsys.readouterr().err
    assert (work / "in.csv").read_bytes() == before


def test_failed_cells_are_reported_with_a_non_zero_exit(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    settings.sim.error_rate = 1.0
    settings.provider.max_retries = 0
    settings.save(work / "data")
    assert _run(work, GOOD_SPEC[1:2]) == 1
    assert "12 cells failed" in capsys.readouterr().err
    assert (work / "out.csv").exists()


def test_plan_prints_a_spec_that_run_accepts(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sheet", "plan", "Email each customer about the new pricing", "--input", str(work / "in.csv"),
            "--data-dir", str(work / "data")]  # fmt: skip
    assert main(argv) == 0
    spec = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in spec] == ["Summary", "Email"]
    assert _run(work, spec) == 0
