"""Choosing a dataset: plain sentences for a missing or malformed file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.cli.main import main
from agent_core.memlab import DatasetFormatError
from agent_core.memlab.sources import load_dataset, source_problem


def test_source_problem_says_what_to_do(tmp_path: Path) -> None:
    assert source_problem("locomo", "") == "Choose a LoCoMo JSON file first."
    assert source_problem("longmemeval", "  ") == "Choose a LongMemEval JSON file first."
    assert source_problem("locomo", str(tmp_path)).endswith("is a folder; choose a LoCoMo JSON file.")
    assert source_problem("locomo", str(tmp_path / "x.json")) == f"No such file: {tmp_path / 'x.json'}"
    (tmp_path / "x.json").write_text("[]")
    assert source_problem("locomo", str(tmp_path / "x.json")) is None
    assert source_problem("scenario", "tiny") is None and source_problem("scenario", "3") is None
    assert "Unknown scenario size" in (source_problem("scenario", "huge") or "")


@pytest.mark.parametrize(
    ("text", "named"),
    [("{not json", "not valid JSON"), ('{"a": 1}', "expected a JSON list"),
     ('[{"qa": []}]', "has no usable conversation for LoCoMo (1 problems: record 0")],
)  # fmt: skip
def test_a_malformed_file_names_the_problem(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(DatasetFormatError) as info:
        load_dataset("locomo", str(path))
    assert named in str(info.value)


def test_empty_locomo_path_is_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(FileNotFoundError, match="Choose a LoCoMo JSON file first"):
        load_dataset("locomo", "")
    assert main(["bench", "--dataset", "locomo", " "]) == 2
    err = capsys.readouterr().err
    assert "Choose a LoCoMo JSON file first" in err and "Traceback" not in err
