"""Lexical search over memories: SQLite FTS5 over a pre-tokenised column.

FTS5's unicode61 tokenizer does not split Chinese, so text is tokenised here first: Latin words
are lower-cased, CJK characters become single characters plus bigrams. Queries use the same path.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

_WORD = re.compile(r"[A-Za-z0-9À-ɏЀ-ӿ']+|[\u3400-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "but",
        "what",
        "where",
        "when",
        "who",
        "whom",
        "which",
        "how",
        "why",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "have",
        "has",
        "had",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "please",
        "tell",
        "about",
        "again",
        "now",
    ]
)


def tokens(content: str) -> list[str]:
    """Words (lower-cased, no stopwords) and CJK unigrams + bigrams."""
    out: list[str] = []
    for match in _WORD.finditer(content):
        word = match.group(0)
        if _CJK.match(word):
            out.extend(word)
            out.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            w = word.lower().strip("'")
            if w and w not in STOPWORDS:
                out.append(stem(w))
    return out


def stem(word: str) -> str:
    """A tiny suffix stripper so 'lives', 'lived' and 'living' meet at 'liv'."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def ensure_fts(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(mid UNINDEXED, ns UNINDEXED, body)"
            )
        )


def fts_upsert(conn, memory_id: str, namespace: str, content: str) -> None:  # noqa: ANN001
    conn.execute(text("DELETE FROM memory_fts WHERE mid = :m"), {"m": memory_id})
    conn.execute(
        text("INSERT INTO memory_fts(mid, ns, body) VALUES (:m, :n, :b)"),
        {"m": memory_id, "n": namespace, "b": " ".join(tokens(content))},
    )


def fts_delete(conn, memory_ids: list[str]) -> None:  # noqa: ANN001
    for mid in memory_ids:
        conn.execute(text("DELETE FROM memory_fts WHERE mid = :m"), {"m": mid})


def fts_search(engine: Engine, namespace: str, query: str, limit: int) -> list[str]:
    """Memory ids ranked by BM25 for `query` within one namespace (may include stale rows)."""
    terms = sorted(set(tokens(query)))
    if not terms:
        return []
    match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT mid FROM memory_fts WHERE memory_fts MATCH :q AND ns = :n "
                "ORDER BY bm25(memory_fts) LIMIT :k"
            ),
            {"q": match, "n": namespace, "k": limit},
        )
        return [r[0] for r in rows]
