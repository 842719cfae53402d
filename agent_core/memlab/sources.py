"""Where a run's dataset comes from: a generated scenario or a LoCoMo / LongMemEval file.

`source_problem` is the cheap check a form runs before it offers Run (no file chosen, a missing
file, a folder), so the user reads one plain sentence instead of a traceback. `load_dataset`
then names what is wrong with a file that is not a usable benchmark.
"""

from __future__ import annotations

from pathlib import Path

from agent_core.memlab.dataset import Dataset
from agent_core.memlab.importers import DatasetFormatError, load_locomo, load_longmemeval
from agent_core.memlab.scenario import SIZES, generate_scenario

KINDS = ("scenario", "locomo", "longmemeval")
LABELS = {"scenario": "scenario", "locomo": "LoCoMo", "longmemeval": "LongMemEval"}


def source_problem(kind: str, source: str) -> str | None:
    """Why `source` cannot be run as a `kind` dataset, in one sentence; None when it can be tried."""
    if kind not in KINDS:
        return f"Unknown dataset kind {kind!r}; use one of {', '.join(KINDS)}."
    source = source.strip()
    if kind == "scenario":
        if source in SIZES or (source.isdigit() and int(source) > 0):
            return None
        return f"Unknown scenario size {source!r}; use one of {', '.join(SIZES)} or a number."
    label = LABELS[kind]
    if not source:
        return f"Choose a {label} JSON file first."
    path = Path(source).expanduser()
    if path.is_dir():
        return f"{path} is a folder; choose a {label} JSON file."
    if not path.is_file():
        return f"No such file: {path}"
    return None


def load_dataset(kind: str, source: str, seed: int = 0) -> Dataset:
    """The dataset named on the command line (or picked in the GUI).

    Raises ValueError (bad size), FileNotFoundError, or DatasetFormatError for a file that is not
    JSON, not a list of records, or has no usable conversation (the first problem is named).
    """
    source = source.strip()
    if kind == "scenario":
        return generate_scenario(int(source) if source.isdigit() else source, seed=seed)
    problem = source_problem(kind, source)
    if problem is not None:
        raise FileNotFoundError(problem)
    path = Path(source).expanduser()
    dataset = (load_locomo if kind == "locomo" else load_longmemeval)(path)
    if not dataset.conversations or not dataset.n_questions:
        first = f": {dataset.problems[0]}" if dataset.problems else ""
        what = "conversation" if not dataset.conversations else "question"
        raise DatasetFormatError(
            f"{path.name} has no usable {what} for {LABELS[kind]} ({len(dataset.problems)} problems{first})"
        )
    return dataset
