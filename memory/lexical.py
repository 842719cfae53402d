"""Lexical search over memories: SQLite FTS5 (or PostgreSQL tsvector) over pre-tokenised text.

FTS5's unicode61 tokenizer does not split Chinese, so text is tokenised here first: Latin words
are lower-cased, CJK characters become single characters plus bigrams. Queries use the same path.
The backend is chosen by the connection's dialect behind the same four functions; PostgreSQL's
lives in memory.lexical_pg.
"""

from __future__ import annotations

import hashlib
import re
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from memory import lexical_pg

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


MAX_DOC_FREQ = 500
MAX_TERMS = 6
DF_TTL_S = 30.0
_df_cache: dict[tuple[str, str], tuple[float, int]] = {}


def ensure_fts(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(mid UNINDEXED, ns UNINDEXED, body)"
            )
        )
        conn.execute(
            text("CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts_vocab USING fts5vocab(memory_fts, 'row')")
        )


def _rowid(memory_id: str) -> int:
    """A stable integer key per memory id, so updates and deletes are index lookups, not scans."""
    return (
        int(memory_id[:15], 16)
        if len(memory_id) >= 15 and all(c in "0123456789abcdef" for c in memory_id[:15])
        else int.from_bytes(hashlib.blake2b(memory_id.encode(), digest_size=8).digest()) & 0x7FFFFFFFFFFFFFFF
    )  # stable across processes (hash() is salted per process: a restart would orphan FTS rows)


def _is_pg(conn) -> bool:  # noqa: ANN001 - Connection or Engine
    return conn.dialect.name == "postgresql"


def fts_upsert(conn, memory_id: str, namespace: str, content: str) -> None:  # noqa: ANN001
    if _is_pg(conn):
        return lexical_pg.upsert(conn, memory_id, namespace, tokens(content))
    rid = _rowid(memory_id)
    conn.execute(text("DELETE FROM memory_fts WHERE rowid = :r"), {"r": rid})
    conn.execute(
        text("INSERT INTO memory_fts(rowid, mid, ns, body) VALUES (:r, :m, :n, :b)"),
        {"r": rid, "m": memory_id, "n": namespace, "b": " ".join(tokens(content))},
    )


def fts_insert_many(conn, rows: list[tuple[str, str, str]]) -> None:  # noqa: ANN001
    """Insert (memory_id, namespace, content) rows that are known to be new."""
    if rows and _is_pg(conn):
        lexical_pg.insert_many(conn, [(m, n, tokens(c)) for m, n, c in rows])
    elif rows:
        conn.execute(
            text("INSERT INTO memory_fts(rowid, mid, ns, body) VALUES (:r, :m, :n, :b)"),
            [{"r": _rowid(m), "m": m, "n": n, "b": " ".join(tokens(c))} for m, n, c in rows],
        )


def fts_delete(conn, memory_ids: list[str]) -> None:  # noqa: ANN001
    if _is_pg(conn):
        return lexical_pg.delete(conn, memory_ids)
    for mid in memory_ids:
        conn.execute(text("DELETE FROM memory_fts WHERE rowid = :r"), {"r": _rowid(mid)})


def fts_search(engine: Engine, namespace: str, query: str, limit: int) -> list[tuple[str, float]]:
    """(memory id, score) best first by BM25 for `query` within one namespace (may include stale rows).

    Terms found in more than MAX_DOC_FREQ rows carry little weight and cost a scan of all their
    rows, so the rarest MAX_TERMS terms are kept (at least one): recall stays fast at 100k rows.
    Document frequencies change slowly, so non-zero ones are cached for DF_TTL_S seconds; an
    absent term is looked up again on every query (it may have just been written).
    """
    terms = sorted(set(tokens(query)))
    if not terms:
        return []
    with engine.connect() as conn:
        freq = {}
        now = time.monotonic()
        for t in terms:
            key = (str(engine.url), t)
            hit = _df_cache.get(key)
            if hit is None or now - hit[0] > DF_TTL_S:
                hit = (now, _doc_freq(conn, t))
                if hit[1]:  # an absent term is not cached: a fact saved a moment ago must be findable
                    _df_cache[key] = hit
            if hit[1]:
                freq[t] = hit[1]
        if not freq:
            return []
        ranked = sorted(freq, key=freq.__getitem__)
        kept = [t for t in ranked if freq[t] <= MAX_DOC_FREQ][:MAX_TERMS] or ranked[:1]
        if _is_pg(conn):
            return lexical_pg.search(conn, namespace, kept, limit)
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in kept)
        rows = conn.execute(
            text(
                "SELECT mid, bm25(memory_fts) AS b FROM memory_fts WHERE memory_fts MATCH :q AND ns = :n "
                "ORDER BY b LIMIT :k"
            ),
            {"q": match, "n": namespace, "k": limit},
        )
        return [(r[0], -float(r[1])) for r in rows]  # FTS5's bm25() is negative: lower is better


def _doc_freq(conn, term: str) -> int:  # noqa: ANN001
    if _is_pg(conn):
        return lexical_pg.doc_freq(conn, term, 10 * MAX_DOC_FREQ)  # capped: enough to rank common terms
    row = conn.execute(text("SELECT doc FROM memory_fts_vocab WHERE term = :t"), {"t": term}).first()
    return row[0] if row else 0
