"""Recall quality on a LoCoMo-format file: the lab's strategies against plain baselines, one run.

Run: `.venv/bin/python bench/bench_recall.py FILE [--strategies fused,dense,lexical,hot_path,background]
[--embedder minilm] [--k 10,25]`. FILE is a LoCoMo-format JSON file (the public locomo10.json, or
one written by `agent-ux-lab dataset`), or `synthetic:N` for N generated conversations.

Baselines that know nothing of this project, measured on the same questions in the same run:
BM25 over the raw turns ("speaker: text"), cosine over the same turns with the same embedder, and
their reciprocal-rank fusion. Prints evidence recall@k per LoCoMo category (1 multi-hop,
2 temporal, 3 open-domain, 4 single-hop), the mean over those questions ("mean q") and over the
four category means ("mean cat"), the prompt tokens per question, and each strategy's ratio to
the best baseline. Adversarial questions (5) are excluded, as in the literature.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CATEGORIES = ("multi_hop", "temporal", "open_domain", "single_hop")


def bm25(docs: list[list[str]], query: list[str], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    n = len(docs)
    df = Counter(t for d in docs for t in set(d))
    lengths = np.array([len(d) for d in docs], dtype=float)
    avg = lengths.mean() if n else 1.0
    tfs = [Counter(d) for d in docs]
    scores = np.zeros(n)
    for term in set(query):
        if term in df:
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            tf = np.array([c.get(term, 0) for c in tfs], dtype=float)
            scores += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / avg))
    return scores


def rrf(*rankings: list[int], k: int = 60) -> list[int]:
    score: dict[int, float] = defaultdict(float)
    for ranking in rankings:
        for rank, doc in enumerate(ranking):
            score[doc] += 1.0 / (k + rank + 1)
    return sorted(score, key=lambda d: -score[d])


def baselines(dataset, embedder, ks: list[int]) -> dict[str, dict[tuple[str, int], list[float]]]:  # noqa: ANN001
    from memory.lexical import tokens

    out: dict[str, dict[tuple[str, int], list[float]]] = {
        name: defaultdict(list) for name in ("baseline bm25", "baseline dense", "baseline rrf")
    }
    for conversation in dataset.conversations:
        turns = list(conversation.turns())
        texts = [f"{t.speaker}: {t.text}" for t in turns]
        docs = [tokens(x) for x in texts]
        vectors = np.array(embedder(texts))
        questions = [q for q in conversation.questions if q.category in CATEGORIES and q.evidence]
        qvecs = np.array(embedder([q.question for q in questions])) if questions else np.zeros((0, 1))
        for q, qv in zip(questions, qvecs, strict=True):
            lexical_scores = bm25(docs, tokens(q.question))
            lexical = [int(i) for i in np.argsort(-lexical_scores, kind="stable") if lexical_scores[i] > 0]
            dense = [int(i) for i in np.argsort(-(vectors @ qv), kind="stable")]
            for name, ranking in (
                ("baseline bm25", lexical),
                ("baseline dense", dense),
                ("baseline rrf", rrf(lexical[:100], dense[:100])),
            ):
                top = [turns[i].id for i in ranking]
                for k in ks:
                    out[name][(q.category, k)].append(len(set(q.evidence) & set(top[:k])) / len(q.evidence))
    return out


def strategy_scores(rows, ks: list[int]) -> tuple[dict, dict]:  # noqa: ANN001
    """Recall cells per strategy, and per strategy its tokens per question and answer F1s."""
    scores: dict[str, dict[tuple[str, int], list[float]]] = defaultdict(lambda: defaultdict(list))
    answers: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.category not in CATEGORIES:
            continue
        cells = scores[row.strategy]  # full_context has no recall, but its tokens and F1 count
        for k in ks:
            value = row.recall.get(k)
            if value is not None:
                cells[(row.category, k)].append(value)
        if row.tokens is not None:
            answers[row.strategy]["tokens"].append(row.tokens)
        answers[row.strategy]["f1"].append(row.f1)
    return scores, answers


def table(scores: dict, answers: dict, ks: list[int]) -> str:
    short = {"multi_hop": "multi", "temporal": "temp", "open_domain": "open", "single_hop": "single"}
    head = f"{'recall':<24}" + "".join(
        f" | @{k}: " + " ".join(f"{short[c]:>6}" for c in CATEGORIES) + f" {'mean q':>6} {'mean cat':>8}"
        for k in ks
    )
    lines = [head + " | tokens/q  F1", "-" * (len(head) + 16)]
    means: dict[str, float] = {}
    for name, cells in scores.items():
        line = f"{name:<24}"
        for k in ks:
            per = [float(np.mean(cells[(c, k)])) if cells[(c, k)] else float("nan") for c in CATEGORIES]
            every = [v for c in CATEGORIES for v in cells[(c, k)]]
            mean_q = float(np.mean(every)) if every else float("nan")
            if k == ks[0]:
                means[name] = mean_q
            line += " |     " + " ".join(f"{v:6.3f}" for v in per) + f" {mean_q:6.3f} {np.nanmean(per):8.3f}"
        got = answers.get(name)
        lines.append(
            line
            + (f" | {np.mean(got['tokens']):8.0f} {np.mean(got['f1']):.3f}" if got else " |        -     -")
        )
    best = max((v for n, v in means.items() if n.startswith("baseline")), default=float("nan"))
    lines.append("")
    lines += [
        f"{name:<24} recall@{ks[0]} mean q {v:.3f} = {v / best:.2f}x the best baseline ({best:.3f})"
        for name, v in means.items()
        if not name.startswith("baseline")
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a LoCoMo-format file, or synthetic:N")
    parser.add_argument("--strategies", default="fused,dense,lexical,hot_path,background")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--k", default="10,25")
    parser.add_argument("--out", type=Path, default=None, help="keep results.json etc. here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from agent_core.memlab import load_locomo
    from agent_core.memlab.longconv import generate_longconv
    from agent_core.memlab.runner import RunConfig, format_duration, run_benchmark
    from agent_core.memlab.strategies import parse_ks, parse_strategies
    from memory.embedders import make_embedder

    if args.source.startswith("synthetic:"):
        dataset = load_locomo(generate_longconv(int(args.source.split(":", 1)[1])), name="synthetic")
    else:
        dataset = load_locomo(args.source)
    ks = parse_ks(args.k)
    strategies = parse_strategies(args.strategies)
    embedder_name = "hash-256" if args.embedder == "hash" else args.embedder
    embedder = make_embedder(embedder_name)
    print(dataset.summary(), flush=True)
    t0 = time.perf_counter()
    scores = baselines(dataset, embedder, ks)
    print(f"baselines: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-recall-") as work:
        config = RunConfig(strategies, ks=ks, embedder=embedder_name, work_dir=Path(work))
        outcome = run_benchmark(dataset, config, out_dir=args.out)
    seconds = time.perf_counter() - t0
    ours, answers = strategy_scores(outcome.record.rows, ks)
    print(table({**scores, **ours}, answers, ks))
    per = seconds / len(strategies)
    print(
        f"\n{len(strategies)} strategies in {format_duration(seconds)} ({format_duration(per)} each, "
        f"{dataset.n_turns / per:.0f} turns/s incl. questions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
