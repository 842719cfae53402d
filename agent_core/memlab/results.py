"""Run records: what ran, on which data, with which code, and how every question scored.

A run is only worth comparing if it can be traced back, so each record carries the config, the
dataset name and content hash, the code version and the seed next to the per-question rows.
`results.json` is the full record (and reloads); `results.csv` is the flat view for spreadsheets.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from agent_core.memlab.metrics import mean_by

_SECRET_KEY = re.compile(r"api[_-]?key|secret|password|passwd|authorization|(^|_)token$", re.IGNORECASE)
_REDACTED = "***"


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """`git describe --always --dirty` of this checkout, else the installed package version."""
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists():
        try:
            done = subprocess.run(
                ["git", "describe", "--always", "--dirty"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        return f"agent-ux-lab {importlib.metadata.version('agent-ux-lab')}"
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def redact(config: Any) -> Any:
    """Drop secret values so a shared results file never leaks an API key."""
    if isinstance(config, Mapping):
        return {k: _REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in config.items()}
    if isinstance(config, list | tuple):
        return [redact(v) for v in config]
    return config


@dataclass(slots=True)
class QuestionRow:
    """How one strategy did on one question; None means "not measured" (e.g. no evidence)."""

    strategy: str
    question_id: str
    category: str
    recall: dict[int, float | None] = field(default_factory=dict)
    f1: float = 0.0
    exact: float = 0.0
    contains: float = 0.0
    latency_ms: float | None = None
    memory_latency_ms: float | None = None
    staleness_ms: float | None = None
    tokens: int | None = None
    conversation_id: str = ""

    def flat(self, ks: Iterable[int] = ()) -> dict[str, Any]:
        """One level of keys ("recall@5"), the shape of the CSV and of `metrics.mean_by`.

        `ks` adds empty recall columns this row lacks, so rows of one run line up.
        """
        row: dict[str, Any] = {
            "strategy": self.strategy,
            "conversation_id": self.conversation_id,
            "question_id": self.question_id,
            "category": self.category,
        }
        recall = {k: None for k in ks} | self.recall
        row.update({f"recall@{k}": v for k, v in sorted(recall.items())})
        row.update(
            f1=self.f1,
            contains=self.contains,
            exact=self.exact,
            latency_ms=self.latency_ms,
            memory_latency_ms=self.memory_latency_ms,
            staleness_ms=self.staleness_ms,
            tokens=self.tokens,
        )
        return row

    @classmethod
    def from_flat(cls, row: Mapping[str, Any]) -> QuestionRow:
        recall = {int(key.split("@", 1)[1]): v for key, v in row.items() if key.startswith("recall@")}
        return cls(
            strategy=row["strategy"],
            question_id=row["question_id"],
            category=row["category"],
            recall=recall,
            f1=row.get("f1", 0.0),
            exact=row.get("exact", 0.0),
            contains=row.get("contains", 0.0),
            latency_ms=row.get("latency_ms"),
            memory_latency_ms=row.get("memory_latency_ms"),
            staleness_ms=row.get("staleness_ms"),
            tokens=row.get("tokens"),
            conversation_id=row.get("conversation_id", ""),
        )


RowLike = QuestionRow | Mapping[str, Any]


def flatten_rows(rows: Iterable[RowLike]) -> list[dict[str, Any]]:
    """Accept rows as `QuestionRow`s or already-flat dicts (e.g. read back from CSV)."""
    return [row.flat() if isinstance(row, QuestionRow) else dict(row) for row in rows]


@dataclass(slots=True)
class RunRecord:
    """One benchmark run; `rows` may hold several strategies over the same dataset."""

    config: dict[str, Any]
    dataset_name: str
    dataset_hash: str
    seed: int = 0
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None
    code_version: str = field(default_factory=code_version)
    rows: list[QuestionRow] = field(default_factory=list)

    @property
    def ks(self) -> list[int]:
        return sorted({k for row in self.rows for k in row.recall})

    def flat_rows(self) -> list[dict[str, Any]]:
        """Rows with every recall@k column present, so CSV columns line up."""
        ks = self.ks
        return [row.flat(ks) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        from agent_core.memlab.summary import Summary  # it builds on this module's rows

        return {
            "config": redact(self.config),
            "dataset": {"name": self.dataset_name, "hash": self.dataset_hash},
            "code_version": self.code_version,
            "seed": self.seed,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "summary": Summary(self.rows).as_dict(),
            "rows": self.flat_rows(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        finished = data.get("finished_at")
        return cls(
            config=dict(data.get("config", {})),
            dataset_name=data["dataset"]["name"],
            dataset_hash=data["dataset"]["hash"],
            seed=data.get("seed", 0),
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
            code_version=data.get("code_version", "unknown"),
            rows=[QuestionRow.from_flat(row) for row in data.get("rows", [])],
        )

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write results.json and results.csv into `out_dir` (created if needed)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        json_path, csv_path = out / "results.json", out / "results.csv"
        payload = json.dumps(self.to_dict(), indent=1, ensure_ascii=False, default=str)
        json_path.write_text(payload + "\n", encoding="utf-8")
        rows = self.flat_rows()
        columns = list(rows[0]) if rows else list(QuestionRow("", "", "").flat())
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        return json_path, csv_path

    @classmethod
    def load(cls, path: str | Path) -> RunRecord:
        """Reload a results.json (or the folder holding it) for plots or comparison."""
        path = Path(path)
        if path.is_dir():
            path = path / "results.json"
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def format_table(rows: Iterable[RowLike], metric: str = "f1") -> str:
    """Strategy × category table of `metric` means, with counts and an "all" column."""
    flat = flatten_rows(rows)
    cells = mean_by(flat, metric)
    overall = mean_by(flat, metric, keys=("strategy",))
    strategies = sorted({group[0] for group in overall})
    categories = sorted({group[1] for group in cells})
    lookup = {**cells, **overall}
    header = [f"{metric} (n)", *categories, "all"]
    lines = [header]
    for strategy in strategies:
        line = [strategy]
        for key in [*((strategy, c) for c in categories), (strategy,)]:
            agg = lookup.get(key)
            line.append(f"{agg.mean:.3f} ({agg.count})" if agg else "-")
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def print_table(rows: Iterable[RowLike], metric: str = "f1", *, file: TextIO | None = None) -> str:
    """Print (and return) `format_table`, the quick look after a run in a terminal."""
    table = format_table(rows, metric)
    print(table, file=file or sys.stdout)
    return table
