"""The lexical index on PostgreSQL: a `memory_lex` table with a tsvector column and a GIN index.

The text is tokenised by memory.lexical (the same words, stems and CJK bigrams as SQLite's FTS5
path) and stored as an explicit tsvector literal (lexeme:positions), so PostgreSQL's parser never
re-splits it and Chinese works without a text-search extension. Queries OR the rarest terms and
rank with ts_rank over term frequency, normalised by document length (a BM25-ish score).
The table is created by the Alembic migrations (memory/migrations/).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

MAX_POSITIONS = 255  # PostgreSQL keeps at most 256 positions per lexeme
MAX_POSITION = 16383


def quote_lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(terms: list[str]) -> str:
    """`'liv':1 'oslo':2,5`: each lexeme with its positions, as PostgreSQL's tsvector input."""
    positions: dict[str, list[int]] = {}
    for i, t in enumerate(terms, start=1):
        slot = positions.setdefault(t, [])
        if len(slot) < MAX_POSITIONS:
            slot.append(min(i, MAX_POSITION))
    return " ".join(f"{quote_lexeme(t)}:{','.join(map(str, sorted(set(p))))}" for t, p in positions.items())


def upsert(conn: Connection, memory_id: str, namespace: str, terms: list[str]) -> None:
    conn.execute(
        text(
            "INSERT INTO memory_lex(mid, ns, body) VALUES (:m, :n, CAST(:b AS tsvector)) "
            "ON CONFLICT (mid) DO UPDATE SET ns = EXCLUDED.ns, body = EXCLUDED.body"
        ),
        {"m": memory_id, "n": namespace, "b": tsvector_literal(terms)},
    )


def insert_many(conn: Connection, rows: list[tuple[str, str, list[str]]]) -> None:
    conn.execute(
        text("INSERT INTO memory_lex(mid, ns, body) VALUES (:m, :n, CAST(:b AS tsvector))"),
        [{"m": m, "n": n, "b": tsvector_literal(terms)} for m, n, terms in rows],
    )


def delete(conn: Connection, memory_ids: list[str]) -> None:
    for i in range(0, len(memory_ids), 1000):
        conn.execute(
            text("DELETE FROM memory_lex WHERE mid = ANY(:ids)"), {"ids": list(memory_ids[i : i + 1000])}
        )


def doc_freq(conn: Connection, term: str, cap: int) -> int:
    """How many rows hold `term`, counted up to `cap` (a GIN lookup; common terms stop early)."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM memory_lex "
                "WHERE body @@ CAST(:q AS tsquery) LIMIT :cap) AS hits"
            ),
            {"q": quote_lexeme(term), "cap": cap},
        ).scalar()
        or 0
    )


def search(conn: Connection, namespace: str, kept: list[str], limit: int) -> list[tuple[str, float]]:
    query = " | ".join(quote_lexeme(t) for t in kept)
    rows = conn.execute(
        text(
            "SELECT mid, ts_rank(body, CAST(:q AS tsquery), 1) AS r FROM memory_lex "
            "WHERE ns = :n AND body @@ CAST(:q AS tsquery) ORDER BY r DESC, mid LIMIT :k"
        ),
        {"q": query, "n": namespace, "k": limit},
    )
    return [(r[0], float(r[1])) for r in rows]
