"""The strategy runner on real SQLite + Chroma: orderings on a fixed-seed scenario, real samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.memlab import Dataset, generate_scenario, load_locomo, load_longmemeval
from agent_core.memlab.metrics import mean_by
from agent_core.memlab.results import RunRecord
from agent_core.memlab.runner import PLOT_FILES, Progress, RunConfig, load_details, run_benchmark
from agent_core.memlab.strategies import parse_strategies


@pytest.fixture(scope="module")
def scenario_run(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - RunOutcome
    """One run shared by the ordering tests: first conversation of the tiny scenario, seed 0."""
    import tempfile

    full = generate_scenario("tiny", seed=0)
    dataset = Dataset(full.name, full.conversations[:1], full.source_hash)
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("work")
    reports: list[Progress] = []
    config = RunConfig(
        parse_strategies("off,semantic,hot_path,background,no_consolidation"), ks=[1, 5, 10], work_dir=work
    )
    outcome = run_benchmark(dataset, config, progress=reports.append)
    return outcome, reports, dataset


def _means(outcome, metric: str = "f1") -> dict[tuple[str, ...], float]:  # noqa: ANN001
    return {key: agg.mean for key, agg in mean_by(outcome.record.flat_rows(), metric).items()}


def test_off_loses_to_semantic_on_extraction(scenario_run) -> None:  # noqa: ANN001
    f1 = _means(scenario_run[0])
    assert f1[("off", "extraction")] < f1[("semantic", "extraction")]
    recall = _means(scenario_run[0], "recall@5")
    assert recall[("off", "extraction")] == 0.0 < recall[("semantic", "extraction")]


def test_background_loses_recent_questions_to_hot_path(scenario_run) -> None:  # noqa: ANN001
    outcome = scenario_run[0]
    f1, recall = _means(outcome), _means(outcome, "recall@5")
    assert f1[("background", "recent")] < f1[("hot_path", "recent")]
    assert recall[("background", "recent")] < recall[("hot_path", "recent")]
    # Later questions are not hurt: the debounced worker caught up long before.
    assert recall[("background", "extraction")] == recall[("hot_path", "extraction")] == 1.0
    stale = _means(outcome, "staleness_ms")
    assert stale[("hot_path", "recent")] < 1500 < stale[("background", "recent")]


def test_consolidation_wins_knowledge_updates(scenario_run) -> None:  # noqa: ANN001
    f1 = _means(scenario_run[0])
    assert f1[("hot_path", "knowledge_update")] > f1[("no_consolidation", "knowledge_update")]


def test_record_details_and_progress(scenario_run) -> None:  # noqa: ANN001
    outcome, reports, dataset = scenario_run
    record = outcome.record
    assert record.dataset_hash == dataset.dataset_hash and record.seed == 0
    assert len(record.rows) == 5 * dataset.n_questions
    assert record.ks == [1, 5, 10]
    assert reports[-1].stage == "done" and reports[-1].outcome is outcome
    assert reports[-1].done == reports[-1].total
    assert any(r.eta_s is not None for r in reports[1:-1])
    assert sum(len(r.rows) for r in reports) == len(record.rows)
    question = dataset.conversations[0].questions[0]
    entry = outcome.details["questions"][question.id]
    assert entry["gold"] == question.answer
    semantic = entry["strategies"]["semantic"]
    assert semantic["answer"] and semantic["recalled"]
    assert set(question.evidence) <= {r["turn_id"] for r in semantic["recalled"]}
    first = semantic["recalled"][0]
    assert {"relevance", "recency", "importance"} <= set(first["parts"])
    assert entry["strategies"]["off"]["recalled"] == []


def test_cancel_stops_early(work_dir: Path) -> None:
    dataset = generate_scenario("tiny", seed=0)
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    outcome = run_benchmark(
        dataset, RunConfig(parse_strategies("semantic"), work_dir=work_dir), should_stop=stop
    )
    assert outcome.cancelled and len(outcome.record.rows) < dataset.n_questions


def test_shared_samples_through_the_importers(samples_dir: Path, work_dir: Path, tmp_path: Path) -> None:
    locomo = load_locomo(samples_dir / "locomo_sample.json")
    lme = load_longmemeval(samples_dir / "longmemeval_sample.json")
    dataset = Dataset("samples", locomo.conversations + lme.conversations)
    config = RunConfig(parse_strategies("off,semantic+episodic"), ks=[5, 10], work_dir=work_dir)
    outcome = run_benchmark(dataset, config, out_dir=tmp_path / "out")
    assert len(outcome.record.rows) == 2 * dataset.n_questions
    recall = _means(outcome, "recall@10")
    # Raw turns are indexed with their ids, so evidence is found although no fact pattern matches.
    assert max(v for (s, _c), v in recall.items() if s == "semantic+episodic") > 0.0
    assert all(v == 0.0 for (s, _c), v in recall.items() if s == "off")
    assert [p.name for p in outcome.plots] == list(PLOT_FILES)
    assert RunRecord.load(tmp_path / "out").rows[0].question_id == outcome.record.rows[0].question_id
    assert load_details(tmp_path / "out")["questions"]
