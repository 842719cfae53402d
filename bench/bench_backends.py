"""Storage backends at scale: embedded (SQLite + Chroma PersistentClient) vs server (PostgreSQL +
Chroma HttpClient), measured in one run so the ratios hold on a noisy machine.

For each backend: ingest N memories with `store.add_many` (hash embedder: the cost measured is
storage, not embedding) in batches, then time the full recall path (dense + lexical + fetch +
scoring) for a set of queries; prints throughput, recall p50/p95, and server ÷ embedded ratios.

    .venv/bin/python bench/bench_backends.py [--n 100000] [--queries 200] [--batch 5000]
        [--pg URL --chroma http://host:port]   use running services
        [--start-services]                     start PostgreSQL + Chroma with scripts/ci_services.sh
Without --pg/--chroma it uses $AGENT_UX_LAB_TEST_PG / $AGENT_UX_LAB_TEST_CHROMA when set; with
neither, only the embedded backend is measured.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from memory.models import Memory  # noqa: E402

CITIES = ["Paris", "Berlin", "Lisbon", "Oslo", "Tokyo", "Lima", "Cairo", "Quito", "Hanoi", "Dakar"]
THINGS = ["jazz", "tea", "chess", "hiking", "sushi", "opera", "cycling", "poetry", "gardening", "tennis"]
VERBS = ["likes", "visited", "studies", "dislikes", "collects", "teaches", "reads about", "plans"]


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def memories(n: int, namespace: str, seed: int = 1) -> list[Memory]:
    rng = random.Random(seed)
    return [
        Memory(
            namespace=namespace,
            content=f"User {rng.choice(VERBS)} {rng.choice(THINGS)} in {rng.choice(CITIES)} (note {i})",
            importance=rng.random(),
        )
        for i in range(n)
    ]


def wipe_server(pg: str, chroma: str) -> None:
    """Start from empty: truncate the tables, drop the collections (a benchmark database only!)."""
    sys.path.insert(0, str(ROOT / "tests" / "reliability"))
    from conftest import Backend, _wipe_server

    _wipe_server(Backend("postgres+server", pg, chroma))


def measure(name: str, n: int, queries: int, batch: int, db_url: str | None, chroma: str | None) -> dict:
    settings = Settings(embedder="hash-256", sim=SimConfig.instant())
    with tempfile.TemporaryDirectory() as d:
        lab = Lab(Path(d), settings, db_url=db_url, chroma=chroma)
        lab.warm_up()
        ns = f"bench-{name}"
        mems = memories(n, ns)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            lab.store.add_many(mems[i : i + batch])
        ingest_s = time.perf_counter() - t0
        rng = random.Random(7)
        qs = [f"what does the user {rng.choice(VERBS)} about {rng.choice(THINGS)}?" for _ in range(queries)]
        for q in qs[:10]:  # warm caches
            lab.store.recall(ns, q, 5)
        lat = []
        for q in qs:
            t = time.perf_counter()
            assert lab.store.recall(ns, q, 5)
            lat.append((time.perf_counter() - t) * 1000)
        lab.close()
    out = {"ingest_per_s": n / ingest_s, "ingest_s": ingest_s, "p50": pct(lat, 50), "p95": pct(lat, 95)}
    print(
        f"{name:>17}: ingest {n} in {ingest_s:6.1f}s = {out['ingest_per_s']:7.0f}/s | "
        f"recall p50 {out['p50']:6.1f} ms, p95 {out['p95']:6.1f} ms ({queries} queries)",
        flush=True,
    )
    return out


def start_services() -> tuple[subprocess.Popen, str, str]:
    """scripts/ci_services.sh in a bash that lives until we close its stdin (its trap stops both)."""
    proc = subprocess.Popen(
        [
            "bash",
            "-c",
            'source scripts/ci_services.sh && echo "$AGENT_UX_LAB_TEST_PG $AGENT_UX_LAB_TEST_CHROMA" && cat',
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "AGENT_UX_LAB_TEST_PG": ""},
    )
    assert proc.stdout is not None
    pg, chroma = proc.stdout.readline().split()
    return proc, pg, chroma


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--pg", default=os.environ.get("AGENT_UX_LAB_TEST_PG"))
    ap.add_argument("--chroma", default=os.environ.get("AGENT_UX_LAB_TEST_CHROMA"))
    ap.add_argument("--start-services", action="store_true")
    args = ap.parse_args()
    services = None
    if args.start_services:
        services, args.pg, args.chroma = start_services()
    try:
        print(f"## Storage backends at {args.n} memories (hash-256 embedder, {os.cpu_count()} cores)")
        emb = measure("embedded", args.n, args.queries, args.batch, None, None)
        if not (args.pg and args.chroma):
            print("server backend skipped: pass --pg and --chroma, or --start-services")
            return
        wipe_server(args.pg, args.chroma)
        srv = measure("server", args.n, args.queries, args.batch, args.pg, args.chroma)
        print(
            f"server ÷ embedded: ingest throughput ×{srv['ingest_per_s'] / emb['ingest_per_s']:.2f}, "
            f"recall p50 ×{srv['p50'] / emb['p50']:.2f}, p95 ×{srv['p95'] / emb['p95']:.2f}"
        )
    finally:
        if services is not None and services.stdin is not None:
            services.stdin.close()
            services.wait(timeout=60)


if __name__ == "__main__":
    main()
