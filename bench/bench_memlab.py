"""Memory Lab benchmark: a LoCoMo-sized synthetic load (~6,000 turns) through real SQLite + Chroma.

Run: `.venv/bin/python bench/bench_memlab.py [--turns 6000] [--strategies semantic+episodic]
[--embedder minilm] [--cores 2]`. Prints turns/s, questions/s and the total time against the
10-minute goal; `--turns` smaller gives a quick projection (time scales linearly with turns).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_S = 600.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=6000, help="target number of turns (LoCoMo: ~5,900)")
    parser.add_argument("--strategies", default="semantic+episodic")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--cores", type=int, default=2, help="CPU cores to pin the process to (Linux)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
        os.environ.setdefault("OMP_NUM_THREADS", str(args.cores))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from agent_core.memlab import generate_scenario, print_table
    from agent_core.memlab.runner import RunConfig, format_duration, run_benchmark
    from agent_core.memlab.strategies import parse_strategies

    per_conversation = generate_scenario(1, seed=args.seed).n_turns
    dataset = generate_scenario(max(1, round(args.turns / per_conversation)), seed=args.seed)
    strategies = parse_strategies(args.strategies)
    print(f"{dataset.summary()}; strategies {args.strategies}; embedder {args.embedder}", flush=True)
    last = [0.0]

    def progress(report) -> None:  # noqa: ANN001 - Progress
        if report.elapsed_s - last[0] >= 15 or report.stage in ("done", "cancelled"):
            last[0] = report.elapsed_s
            print(report.line(), file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-memlab-") as work:
        config = RunConfig(strategies, embedder=args.embedder, seed=args.seed, work_dir=Path(work))
        outcome = run_benchmark(dataset, config, out_dir=Path(work) / "out", progress=progress)
    seconds = time.perf_counter() - t0
    print_table(outcome.record.rows)
    turns = dataset.n_turns * len(strategies)
    questions = dataset.n_questions * len(strategies)
    projected = seconds * 6000 / max(1, dataset.n_turns)
    print(
        f"\n{turns} turns + {questions} questions in {format_duration(seconds)} "
        f"({turns / seconds:.1f} turns/s, {questions / seconds:.1f} questions/s incl. start-up)\n"
        f"projected for 6,000 turns per strategy: {format_duration(projected)} "
        f"(goal ≤ {format_duration(GOAL_S)}: {'met' if projected <= GOAL_S * len(strategies) else 'missed'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
