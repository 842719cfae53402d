"""Run records: JSON/CSV files, reload, secret redaction, text table, and PNG plots."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from agent_core.memlab.results import QuestionRow, RunRecord, code_version, format_table, print_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def make_record() -> RunRecord:
    rows = []
    for s_index, strategy in enumerate(["hot_path", "background"]):
        for i, category in enumerate(["extraction", "temporal", "recent", "abstention"]):
            rows.append(
                QuestionRow(
                    strategy=strategy,
                    question_id=f"q{i}",
                    category=category,
                    recall={} if category == "abstention" else {1: 0.5 * s_index, 5: 1.0},
                    f1=0.25 * i,
                    exact=float(i % 2),
                    latency_ms=100.0 + 50 * i + 400 * s_index,
                    memory_latency_ms=20.0,
                    staleness_ms=None if s_index == 0 else 1500.0 * i,
                    tokens=120 + i,
                    conversation_id="c0",
                )
            )
    return RunRecord(
        config={"strategy": "both", "llm": {"api_key": "sk-secret", "max_tokens": 64}},
        dataset_name="scenario-tiny-seed0",
        dataset_hash="ab" * 32,
        seed=0,
        started_at=datetime(2024, 1, 1, 9, 0),
        finished_at=datetime(2024, 1, 1, 9, 1),
        rows=rows,
    )


def test_results_files_written_and_reloaded(tmp_path: Path) -> None:
    record = make_record()
    json_path, csv_path = record.write(tmp_path / "run")
    data = json.loads(json_path.read_text())
    assert data["dataset"] == {"name": "scenario-tiny-seed0", "hash": "ab" * 32}
    assert data["config"]["llm"] == {"api_key": "***", "max_tokens": 64}
    assert "sk-secret" not in json_path.read_text()
    with csv_path.open() as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 8
    assert list(table[0])[:4] == ["strategy", "conversation_id", "question_id", "category"]
    assert {"recall@1", "recall@5", "f1", "latency_ms", "staleness_ms", "tokens"} <= set(table[0])
    assert table[3]["recall@1"] == "" and table[0]["staleness_ms"] == ""
    again = RunRecord.load(tmp_path / "run")
    assert again.ks == [1, 5] and again.rows[1] == record.rows[1]
    assert again.finished_at == record.finished_at and again.code_version == record.code_version


def test_code_version_is_a_string() -> None:
    assert isinstance(code_version(), str) and code_version()


def test_table_strategy_by_category() -> None:
    record = make_record()
    text = format_table(record.rows, "recall@5")
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["recall@5", "(n)"] and lines[0].split()[-1] == "all"
    assert "abstention" not in lines[0]  # no recall measured for abstention questions
    assert any(line.startswith("background") and "1.000 (3)" in line for line in lines)
    out = io.StringIO()
    assert print_table([r.flat() for r in record.rows], file=out) == out.getvalue().rstrip("\n")


def test_plots_write_png_files(tmp_path: Path) -> None:
    from agent_core.memlab.plots import write_all_plots

    paths = write_all_plots(make_record(), tmp_path / "plots")
    assert [p.name for p in paths] == ["recall.png", "latency_accuracy.png", "staleness.png"]
    for path in paths:
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5_000


def test_plots_cope_with_no_data(tmp_path: Path) -> None:
    from agent_core.memlab.plots import write_all_plots

    for path in write_all_plots([], tmp_path):
        assert path.read_bytes()[:8] == PNG_MAGIC


def test_plots_module_imports_without_matplotlib() -> None:
    """The GUI imports plots early; matplotlib must load only when a chart is drawn."""
    probe = "import sys, agent_core.memlab.plots; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], check=False, timeout=60).returncode == 0
