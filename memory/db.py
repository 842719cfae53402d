"""The SQLite (or PostgreSQL) engine: the source of truth for every memory, run and step."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'lab.sqlite3'}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and user-only file permissions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            Path(path).touch(exist_ok=True)
        finally:
            os.umask(old)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def create_tables(engine: Engine) -> None:
    """Create every table registered on SQLModel's metadata (memory, runs, patterns)."""
    SQLModel.metadata.create_all(engine)
    if engine.url.get_backend_name() == "sqlite":
        from memory.lexical import ensure_fts

        ensure_fts(engine)
