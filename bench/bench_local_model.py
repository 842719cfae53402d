"""The local model (llama.cpp's server, SmolLM2-135M by default) measured through the app's own path.

Run: `.venv/bin/python bench/bench_local_model.py [--model-path GGUF] [--turns 5]` after
`./scripts/local-model`. Prints the server's start-up, generation and prompt tokens/s, time to first
token, and a chat turn's latency with memory off / background / hot path, each as a ratio to the
off-mode turn measured in the same run (background work is timed separately: it runs after the reply).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FACTS = [
    "My name is Ada and I live in Lisbon.",
    "I work as a nurse at the city hospital.",
    "I have a cat named Miso.",
    "I prefer tea over coffee in the morning.",
    "My partner's name is Sam.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", default="")
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args(argv)

    from agent_core.chat.agent import ChatAgent
    from agent_core.lab import Lab
    from agent_core.runtime.settings import Settings

    settings = Settings(embedder="minilm", debounce_s=0.0)
    settings.provider.kind, settings.provider.model_path = "local", args.model_path
    with tempfile.TemporaryDirectory(prefix="bench-local-") as d:
        lab = Lab(Path(d), settings)
        lab.warm_up()
        t = time.perf_counter()
        print(lab.prepare_model(), f"(start-up {time.perf_counter() - t:.1f} s)")
        llm = lab.llm
        gen = llm.complete(
            [{"role": "user", "content": "Tell me a short story about a lighthouse."}], max_tokens=128
        )
        long_prompt = "Here are my notes. " + " ".join(FACTS * 12)
        pre = llm.complete([{"role": "user", "content": long_prompt}], max_tokens=1)
        ttft = []
        for i in range(5):
            stream = llm.stream([{"role": "user", "content": f"Say hello to person number {i}."}])
            for piece in stream:
                if not isinstance(piece, str):
                    ttft.append(piece.ttft_ms or piece.latency_ms)
        print(
            f"generation {gen.completion_tokens / (gen.latency_ms / 1000):.0f} tokens/s "
            f"({gen.completion_tokens} tokens in {gen.latency_ms:.0f} ms); "
            f"prompt {pre.prompt_tokens / (pre.latency_ms / 1000):.0f} tokens/s ({pre.prompt_tokens} tokens); "
            f"time to first token p50 {statistics.median(ttft):.0f} ms"
        )
        rows: dict[str, dict[str, list[float]]] = {}
        for mode in ("off", "background", "hot_path"):
            agent = ChatAgent(lab, f"bench-{mode}", memory_mode=mode)
            stats = rows.setdefault(mode, {"turn": [], "memory": [], "job": []})
            jobs: list[float] = []
            lab.background.listeners.append(
                lambda o, jobs=jobs: jobs.append(o.result.latency_ms if o.result else 0)
            )
            for text in FACTS[: args.turns]:
                r = agent.turn(lab.conversations.create(agent.profile).id, text, stream=True)
                stats["turn"].append(r.latency_ms)
                stats["memory"].append(r.memory_latency_ms)
                lab.background.flush(300)
            stats["job"] = jobs
            lab.background.listeners.pop()
        base = statistics.mean(rows["off"]["turn"])
        print(f"\n{'mode':<12}{'turn ms':>10}{'× off':>8}{'memory in turn ms':>20}{'background job ms':>20}")
        for mode, st in rows.items():
            job = f"{statistics.mean(st['job']):.0f}" if st["job"] else "–"
            print(
                f"{mode:<12}{statistics.mean(st['turn']):>10.0f}{statistics.mean(st['turn']) / base:>8.2f}"
                f"{statistics.mean(st['memory']):>20.0f}{job:>20}"
            )
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
