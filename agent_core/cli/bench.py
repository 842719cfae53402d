"""`agent-ux-lab bench …`: run memory strategies over a dataset, write results and plots."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from agent_core.memlab.strategies import (
    DEFAULT_STRATEGIES,
    PRESETS,
    UnknownStrategyError,
    parse_ks,
    parse_strategies,
)
from agent_core.runtime.settings import PROVIDERS

DATASETS = ("locomo", "longmemeval", "scenario")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="compare memory strategies on LoCoMo, LongMemEval or a generated scenario",
        description="Feed a dataset through each memory strategy and score recall@k, answers, "
        "latency and staleness. Writes results.json, results.csv, details.json and PNG plots.",
    )
    p.add_argument("--dataset", choices=DATASETS, help="required unless --suite is given")
    p.add_argument(
        "source", nargs="?", help="a file path (locomo, longmemeval) or a size: tiny|small|medium|large|N"
    )
    p.add_argument(
        "--suite",
        choices=("contradictions",),
        default=None,
        help="a built-in suite instead of a dataset: contradictions = fact flips × consolidation policies",
    )
    p.add_argument(
        "--strategies",
        default=DEFAULT_STRATEGIES,
        help=f"comma list of: {', '.join(PRESETS)} (name@embedder ok)",
    )
    p.add_argument("--k", default="5,10,25", help="retrieval cut-offs, e.g. 5,10,25")
    p.add_argument("--provider", choices=PROVIDERS, default="sim")
    p.add_argument("--base-url", default="", help="OpenAI-compatible server (with --provider openai)")
    p.add_argument(
        "--model", default="", help="model name (--provider openai) or GGUF file (--provider local)"
    )
    p.add_argument(
        "--embedder",
        default="minilm",
        help="minilm (the app's, default), hash (fast, for tests) or openai[:model]",
    )
    p.add_argument("--out", type=Path, default=None, help="results folder (default: ./memlab-runs/<time>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--metric", default="f1", help="metric of the by-category table (f1, contains, exact, recall@5…)"
    )
    p.set_defaults(func=cmd_bench)
    d = sub.add_parser(
        "dataset",
        help="write a LoCoMo-format file of generated long conversations (to tune memory on)",
        description="Long two-person conversations (20-35 sessions over months) with paraphrased "
        "questions, facts that change, multi-hop, temporal and wrong-speaker questions.",
    )
    d.add_argument("out", type=Path, help="the JSON file to write")
    d.add_argument("--conversations", type=int, default=10)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=cmd_dataset)


def cmd_dataset(args: argparse.Namespace) -> int:
    from agent_core.memlab import load_locomo
    from agent_core.memlab.longconv import write_longconv

    try:
        path = write_longconv(args.out, args.conversations, args.seed)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: {load_locomo(path).summary()}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from agent_core.memlab import DatasetFormatError, print_table
    from agent_core.memlab.runner import RunConfig, run_benchmark
    from agent_core.memlab.sources import load_dataset
    from agent_core.memlab.summary import Summary

    if args.suite == "contradictions":
        from agent_core.memlab.contradictions import cmd_contradictions

        return cmd_contradictions(args.out)
    if not args.dataset or not args.source:
        print("error: give --dataset and a source, or --suite", file=sys.stderr)
        return 2
    try:
        strategies = parse_strategies(args.strategies)
        ks = parse_ks(args.k)
        dataset = load_dataset(args.dataset, args.source, args.seed)
    except (UnknownStrategyError, ValueError, FileNotFoundError, DatasetFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(dataset.summary(), file=sys.stderr)
    for problem in dataset.problems[:20]:
        print(f"  skipped: {problem}", file=sys.stderr)
    embedder = "hash-256" if args.embedder == "hash" else args.embedder
    out = args.out or Path("memlab-runs") / datetime.now().strftime("%Y%m%d-%H%M%S")
    config = RunConfig(
        strategies,
        ks=ks,
        provider=args.provider,
        embedder=embedder,
        seed=args.seed,
        base_url=args.base_url,
        model=args.model,
    )
    tty = sys.stderr.isatty()

    def progress(report) -> None:  # noqa: ANN001 - Progress
        if report.stage == "plot" and report.plot is not None:
            print(f"{chr(10) if tty else ''}wrote {report.plot}", file=sys.stderr)
        elif tty:
            print("\r" + report.line(), end="", file=sys.stderr, flush=True)
        elif report.stage in ("questions", "done", "cancelled"):
            print(report.line(), file=sys.stderr, flush=True)

    try:
        outcome = run_benchmark(dataset, config, out_dir=out, progress=progress)
    except KeyboardInterrupt:
        print("\ncancelled", file=sys.stderr)
        return 130
    print(file=sys.stderr)
    print_table(outcome.record.rows, args.metric)
    print("\nAll metrics (means over every question):")
    print(Summary(outcome.record.rows).format())
    print(f"\nresults: {out / 'results.json'}, {out / 'results.csv'}; plots in {out}", file=sys.stderr)
    return 0
