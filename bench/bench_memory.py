"""Memory benchmarks: reply latency by update mode, recall latency at scale, ingest throughput.

Every figure is printed next to a baseline measured in the same run (the machine is noisy):
  * reply latency: memory off is the baseline for hot_path / background / both;
  * recall: a brute-force numpy cosine scan over the same vectors is the baseline for the store's
    full recall path (Chroma HNSW + FTS5 + SQLite fetch + scoring);
  * ingest: MiniLM embedding alone is the baseline for the full write path.

    .venv/bin/python bench/bench_memory.py [--sizes 10000,100000] [--turns 12] [--only latency,recall,gil,minilm]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_core.chat.agent import ChatAgent  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.runs import load_run  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from memory.embedders import HashEmbedder, MiniLMEmbedder  # noqa: E402
from memory.models import Memory  # noqa: E402

CITIES = ["Paris", "Berlin", "Lisbon", "Oslo", "Tokyo", "Lima", "Cairo", "Quito", "Hanoi", "Dakar"]
THINGS = ["jazz", "tea", "chess", "hiking", "sushi", "opera", "cycling", "poetry", "gardening", "tennis"]


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def reply_latency(turns: int, ttft_ms: float = 100.0, tps: float = 100.0) -> None:
    print(
        f"\n## Reply latency by memory mode (simulator: TTFT {ttft_ms:g} ms, {tps:g} tokens/s; {turns} turns each)"
    )
    print("Replies differ in length between modes (a remembered answer is shorter than 'I don't know'),")
    print("so each turn's simulated model time (TTFT + tokens / rate per call) is subtracted: the rest is")
    print("what memory (and the agent loop) costs the user.")
    totals: dict[str, list[float]] = {}
    costs: dict[str, list[float]] = {}
    for mode in ("off", "hot_path", "background", "both"):
        with tempfile.TemporaryDirectory() as d:
            s = Settings(
                embedder="hash-256",
                sim=SimConfig(ttft_ms=ttft_ms, tokens_per_s=tps),
                debounce_s=0.2,
                streaming=False,
            )
            lab = Lab(Path(d), s)
            lab.warm_up()
            agent = ChatAgent(lab, "bench", memory_mode=mode)
            conv = lab.conversations.create("bench").id
            tot, cost = [], []
            for i in range(turns):
                text = (
                    f"I live in {CITIES[i % 10]} and I love {THINGS[i % 10]}."
                    if i % 2 == 0
                    else "Where do I live?"
                )
                r = agent.turn(conv, text)
                assert r.error is None, r.error
                steps = load_run(lab.engine, r.run_id)[1]
                model_ms = sum(
                    ttft_ms + st.completion_tokens / tps * 1000 for st in steps if st.kind == "llm_call"
                )
                tot.append(r.latency_ms)
                cost.append(r.latency_ms - model_ms)
            lab.background.flush(60)
            lab.close()
        totals[mode], costs[mode] = tot, cost
    base = statistics.mean(totals["off"])
    print(f"{'mode':<12}{'latency ms':>12}{'p95 ms':>9}{'memory+loop ms':>16}{'added vs off':>14}")
    for mode in totals:
        added = statistics.mean(costs[mode]) - statistics.mean(costs["off"])
        print(
            f"{mode:<12}{statistics.mean(totals[mode]):>12.1f}{pct(totals[mode], 95):>9.1f}"
            f"{statistics.mean(costs[mode]):>16.1f}{added / base * 100:>13.1f}%"
        )
    over = (statistics.mean(costs["background"]) - statistics.mean(costs["off"])) / base
    print(f"background adds {over * 100:+.1f}% of the off-mode reply latency (goal <= +5%)")


def recall_at_scale(n: int, queries: int = 200) -> None:
    print(f"\n## Recall at {n:,} memories (hash embedder, 256 dims; {queries} queries)")
    with tempfile.TemporaryDirectory() as d:
        emb = HashEmbedder(256)
        lab = Lab(Path(d), Settings(embedder="hash-256", sim=SimConfig.instant()), embedder=emb)
        lab.warm_up()
        t0 = time.perf_counter()
        texts = [
            f"Memory {i}: {THINGS[i % 10]} with a friend in {CITIES[(i // 10) % 10]} on day {i % 365}"
            for i in range(n)
        ]
        lab.store.add_many(
            [Memory(namespace="scale", content=t, importance=(i % 10) / 10) for i, t in enumerate(texts)],
            index_now=False,
        )
        t_sql = time.perf_counter() - t0
        lab.store.index_pending(batch=5000)
        t_all = time.perf_counter() - t0
        print(f"ingest: {n / t_all:,.0f} memories/s (SQLite + FTS {t_sql:.1f}s, total {t_all:.1f}s)")
        matrix = np.asarray(emb(texts), dtype=np.float32)
        qs = [f"{THINGS[i % 10]} in {CITIES[(i * 7) % 10]} day {i}" for i in range(queries)]
        brute, full = [], []
        for q in qs:
            t = time.perf_counter()
            v = np.asarray(emb([q])[0], dtype=np.float32)
            sims = matrix @ v
            np.argpartition(-sims, 10)[:10]
            brute.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            lab.store.recall("scale", q, k=10)
            full.append((time.perf_counter() - t) * 1000)
        lab.close()
    b50, b95, f50, f95 = pct(brute, 50), pct(brute, 95), pct(full, 50), pct(full, 95)
    print(f"{'path':<34}{'p50 ms':>9}{'p95 ms':>9}")
    print(f"{'numpy brute force (dense only)':<34}{b50:>9.2f}{b95:>9.2f}")
    print(f"{'store.recall (dense+lexical+score)':<34}{f50:>9.2f}{f95:>9.2f}")
    print(
        f"ratio full/brute: p50 {f50 / b50:.2f}x, p95 {f95 / b95:.2f}x; p95 goal <= 20 ms: {'met' if f95 <= 20 else 'MISSED'}"
    )


def ingest_minilm(n: int = 2000) -> None:
    print(f"\n## Ingest with MiniLM ({n:,} memories)")
    emb = MiniLMEmbedder()
    t = time.perf_counter()
    emb.load()
    print(f"model load: {time.perf_counter() - t:.2f}s")
    texts = [
        f"The user mentioned {THINGS[i % 10]} while talking about {CITIES[i % 10]} (note {i})"
        for i in range(n)
    ]
    t = time.perf_counter()
    emb(texts)
    embed_only = n / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        lab = Lab(Path(d), Settings(embedder="minilm", sim=SimConfig.instant()), embedder=emb)
        lab.warm_up()
        t = time.perf_counter()
        lab.store.add_many([Memory(namespace="ingest", content=txt) for txt in texts])
        full = n / (time.perf_counter() - t)
        lab.close()
    print(
        f"embedding only: {embed_only:,.0f}/s; full write path (SQLite + FTS + embed + Chroma): {full:,.0f}/s "
        f"({full / embed_only:.2f}x of embedding alone)"
    )


def gil_stall(seconds: float = 6.0) -> None:
    print(
        f"\n## Main-thread delay while a worker writes memories ({seconds:g} s each; what the GUI thread would feel)"
    )
    print("A 5 ms timer on the main thread measures its lateness while a worker thread adds memories")
    print("one by one (each an SQLite commit + embedding + Chroma upsert). Baseline: Chroma in-process.")
    sys.setswitchinterval(0.001)  # as the desktop app does
    rows = {}
    for label, child in (("in-process Chroma", False), ("Chroma in a child process", True)):
        with tempfile.TemporaryDirectory() as d:
            lab = Lab(Path(d), Settings(embedder="hash-256", sim=SimConfig.instant()), chroma_process=child)
            lab.warm_up()
            stop = threading.Event()
            writes = [0]

            def work(lab: Lab = lab, stop: threading.Event = stop, writes: list[int] = writes) -> None:
                while not stop.is_set():
                    lab.store.add(
                        Memory(namespace="gil", content=f"note {writes[0]} about {THINGS[writes[0] % 10]}")
                    )
                    writes[0] += 1

            th = threading.Thread(target=work)
            th.start()
            delays, last, end = [], time.perf_counter(), time.perf_counter() + seconds
            while time.perf_counter() < end:
                time.sleep(0.005)
                now = time.perf_counter()
                delays.append((now - last - 0.005) * 1000)
                last = now
            stop.set()
            th.join()
            lab.close()
        rows[label] = (pct(delays, 50), pct(delays, 99), max(delays), writes[0] / seconds)
    print(f"{'index':<28}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'writes/s':>10}")
    for label, (p50, p99, mx, wps) in rows.items():
        print(f"{label:<28}{p50:>8.1f}{p99:>8.1f}{mx:>8.1f}{wps:>10.0f}")
    a, b = rows["in-process Chroma"], rows["Chroma in a child process"]
    print(f"child process / in-process: p99 {b[1] / max(a[1], 1e-9):.2f}x, max {b[2] / max(a[2], 1e-9):.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--only", default="latency,recall,gil,minilm", help="comma list of parts to run")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    if "latency" in parts:
        reply_latency(args.turns)
    if "recall" in parts:
        for n in (int(x) for x in args.sizes.split(",") if x):
            recall_at_scale(n)
    if "gil" in parts:
        gil_stall()
    if "minilm" in parts:
        ingest_minilm()


if __name__ == "__main__":
    main()
