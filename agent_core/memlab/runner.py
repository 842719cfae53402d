"""The strategy runner: a Dataset through every strategy, into a RunRecord, result files and plots.

`iter_run` is a generator of `Progress` events (the GUI's worker forwards them as signals, the CLI
prints them); `run_benchmark` drives it to the end. Each strategy runs in a fresh temp data dir
with the real SQLite + Chroma stores, each conversation in its own namespace.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent_core.memlab.dataset import Conversation, Dataset, Question
from agent_core.memlab.replay import ProviderChoice, StrategyReplay, aware
from agent_core.memlab.results import QuestionRow, RunRecord
from agent_core.memlab.strategies import Strategy
from agent_core.runtime.settings import PROVIDERS
from memory.embedders import Embedder, make_embedder

DEFAULT_KS = (5, 10, 25)
PLOT_FILES = ("recall.png", "latency_accuracy.png", "staleness.png")
DETAILS_FILE = "details.json"
LATE_QUESTION = timedelta(hours=1)
"""Questions without a date are asked this long after the conversation's last turn."""


@dataclass(slots=True)
class RunConfig:
    strategies: list[Strategy]
    ks: list[int] = field(default_factory=lambda: list(DEFAULT_KS))
    provider: str = "sim"
    embedder: str = "hash-256"
    seed: int = 0
    base_url: str = ""
    model: str = ""
    work_dir: Path | None = None
    """Where each strategy's temp data dir goes (default: the system temp dir)."""
    keep_data: bool = False
    chart_style: str = "light"
    """The colours of the charts: "light" or "dark" (the theme of the page that shows them)."""

    def __post_init__(self) -> None:
        if not self.strategies:
            raise ValueError("choose at least one strategy")
        if self.provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, not {self.provider!r}")
        if not self.ks or min(self.ks) < 1:
            raise ValueError("k values must be positive")

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategies": [s.as_dict() for s in self.strategies],
            "ks": list(self.ks),
            "provider": self.provider,
            "base_url": self.base_url,
            "model": self.model,
            "embedder": self.embedder,
            "seed": self.seed,
            "chart_style": self.chart_style,
        }


@dataclass(slots=True)
class RunOutcome:
    record: RunRecord
    details: dict[str, Any]
    out_dir: Path | None = None
    plots: list[Path] = field(default_factory=list)
    cancelled: bool = False


@dataclass(slots=True)
class Progress:
    """A progress report; `rows` are the question rows finished since the previous report."""

    done: int
    total: int
    strategy: str
    stage: str  # ingest, questions, plot, done, cancelled
    elapsed_s: float
    rows: list[QuestionRow] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    plot: Path | None = None
    outcome: RunOutcome | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def eta_s(self) -> float | None:
        if self.done <= 0 or self.elapsed_s <= 0:
            return None
        return self.elapsed_s / self.done * (self.total - self.done)

    def line(self) -> str:
        eta = self.eta_s
        return (
            f"[{self.fraction:6.1%}] {self.strategy:<18} {self.stage:<9} {self.done}/{self.total}  "
            f"elapsed {format_duration(self.elapsed_s)}  ETA {format_duration(eta) if eta is not None else '?'}"
        )


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _question_order(conversation: Conversation) -> list[Question]:
    """Dated questions in time order, then undated ones (asked after the conversation)."""
    dated = sorted((q for q in conversation.questions if q.asked_at), key=_asked_at)
    return dated + [q for q in conversation.questions if not q.asked_at]


def _asked_at(question: Question) -> datetime:
    """When a dated question is asked, as aware UTC."""
    if question.asked_at is None:
        raise ValueError(f"question {question.id} has no date")
    return aware(question.asked_at)


def question_entry(conversation: Conversation, question: Question) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "question": question.question,
        "gold": question.answer,
        "category": question.category,
        "evidence": list(question.evidence),
        "strategies": {},
    }


class _Memo:
    """An embedder that remembers its vectors: strategies of one run embed the same turns and
    questions, so only the first pays (a 5-strategy LoCoMo run: MiniLM work once, not five times)."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.name, self.dim = embedder.name, embedder.dim
        self._vectors: dict[str, array] = {}  # float32: a quarter of a list of floats
        self.load = getattr(embedder, "load", None)

    def __call__(self, texts: Sequence[str], /) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            self._vectors.update((t, array("f", v)) for t, v in zip(todo, self.inner(todo), strict=True))
        return [self._vectors[t].tolist() for t in texts]


class _Embedders:
    """One instance per embedder name for the whole run: MiniLM loads once, not per strategy."""

    def __init__(self) -> None:
        self._cache: dict[str, Embedder] = {}

    def get(self, name: str) -> Embedder | None:
        if name.startswith("openai"):
            return None  # needs the strategy's model client: the Lab builds it
        if name not in self._cache:
            self._cache[name] = _Memo(make_embedder(name))
        return self._cache[name]


def iter_run(
    dataset: Dataset,
    config: RunConfig,
    *,
    out_dir: str | Path | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    every_s: float = 0.2,
) -> Iterator[Progress]:
    """Run every strategy over the dataset; the last event carries the `RunOutcome`."""
    t0 = time.perf_counter()
    per_strategy = dataset.n_turns + dataset.n_questions
    total = per_strategy * len(config.strategies)
    record = RunRecord(config=config.as_dict(), dataset_name=dataset.name, dataset_hash=dataset.dataset_hash)
    record.seed = config.seed
    details: dict[str, Any] = {"questions": {}, "strategies": {}}
    for conversation, question in dataset.questions():
        details["questions"][question.id] = question_entry(conversation, question)
    embedders = _Embedders()
    provider = ProviderChoice(config.provider, config.base_url, config.model, config.seed)
    done, last = 0, 0.0

    def event(strategy: str, stage: str, **extra: Any) -> Progress:
        nonlocal last
        last = time.perf_counter()
        return Progress(done, total, strategy, stage, last - t0, **extra)

    for index, strategy in enumerate(config.strategies):
        if should_stop():
            break
        data_dir = Path(tempfile.mkdtemp(prefix=f"memlab-{index}-", dir=config.work_dir))
        yield event(strategy.name, "starting")
        embedder_name = strategy.embedder or config.embedder
        replay = StrategyReplay(
            strategy,
            data_dir,
            provider,
            config.ks,
            embedder=embedders.get(embedder_name),
            embedder_name=embedder_name,
        )
        try:
            for conversation in dataset.conversations:
                replay.start(conversation)
                questions = _question_order(conversation)
                answered: list[tuple[Question, QuestionRow]] = []
                pending_details: dict[str, Any] = {}

                def ask(
                    question: Question,
                    moment: datetime,
                    conversation: Conversation = conversation,
                    answered: list[tuple[Question, QuestionRow]] = answered,
                    pending: dict[str, Any] = pending_details,
                    replay: StrategyReplay = replay,
                ) -> None:
                    nonlocal done
                    got = replay.answer(conversation, question, moment)
                    answered.append((question, got.row))
                    pending[question.id] = got.detail
                    done += 1

                for turn in conversation.turns():
                    if should_stop():
                        break
                    moment = replay.turn_time(turn)
                    while questions and questions[0].asked_at and aware(questions[0].asked_at) <= moment:
                        question = questions.pop(0)
                        ask(question, _asked_at(question))
                    replay.ingest(turn)
                    done += 1
                    if time.perf_counter() - last >= every_s:
                        yield event(strategy.name, "ingest")
                if should_stop():
                    break
                end = replay.clock.now() + LATE_QUESTION
                for question in questions:
                    ask(question, aware(question.asked_at) if question.asked_at else end)
                replay.finish()
                rows = []
                for question, row in answered:
                    row.staleness_ms = replay.staleness_ms(question)
                    details["questions"][question.id]["strategies"][strategy.name] = pending_details[
                        question.id
                    ]
                    rows.append(row)
                record.rows.extend(rows)
                yield event(strategy.name, "questions", rows=rows, details=pending_details)
            details["strategies"][strategy.name] = {
                "describe": strategy.describe(),
                "embedder": replay.lab.embedder.name,
                **replay.stats.as_dict(),
            }
        finally:
            replay.close()
            if not config.keep_data:
                shutil.rmtree(data_dir, ignore_errors=True)
    record.finished_at = datetime.now()
    outcome = RunOutcome(record, details, cancelled=should_stop())
    if out_dir is not None and not outcome.cancelled:
        outcome.out_dir = Path(out_dir)
        yield from _write(outcome, event)
    yield event("", "cancelled" if outcome.cancelled else "done", outcome=outcome)


def _write(outcome: RunOutcome, event: Callable[..., Progress]) -> Iterator[Progress]:
    """results.json, results.csv, details.json, then each plot (reported as it lands)."""
    from agent_core.memlab import plots

    out = outcome.out_dir
    assert out is not None
    outcome.record.write(out)
    (out / DETAILS_FILE).write_text(
        json.dumps(outcome.details, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    style = plots.STYLES.get(outcome.record.config.get("chart_style", "light"), plots.LIGHT)
    for path in plots.iter_plots(outcome.record.rows, out, style):
        outcome.plots.append(path)
        yield event("", "plot", plot=path)


def run_benchmark(
    dataset: Dataset,
    config: RunConfig,
    *,
    out_dir: str | Path | None = None,
    progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunOutcome:
    """Run to the end (or until `should_stop`), reporting progress; returns the outcome."""
    outcome: RunOutcome | None = None
    for report in iter_run(dataset, config, out_dir=out_dir, should_stop=should_stop):
        if progress is not None:
            progress(report)
        if report.outcome is not None:
            outcome = report.outcome
    assert outcome is not None
    return outcome


def load_details(run_dir: str | Path) -> dict[str, Any]:
    """The drill-down of an earlier run (empty when the run predates details files)."""
    path = Path(run_dir) / DETAILS_FILE
    if not path.exists():
        return {"questions": {}, "strategies": {}}
    return json.loads(path.read_text(encoding="utf-8"))
