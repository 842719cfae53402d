"""The SQLite (or PostgreSQL) engine: the source of truth for every memory, run and step.

SQLite (the default, one file in the data dir) gets its tables from `create_all`; PostgreSQL
(`--db postgresql://…`, for a team) gets them from the Alembic migrations in memory/migrations/,
so a shared database can be upgraded in place. Both hold the same SQLModel tables.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel, create_engine

from memory.locks import file_lock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CORRUPT = ("file is not a database", "database disk image is malformed")


class DatabaseFileError(RuntimeError):
    """The SQLite file is not a readable database; it was left as it is (it may be all someone has)."""


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'lab.sqlite3'}"


def normalize_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 here (SQLAlchemy's default driver would be psycopg2)."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and user-only file permissions."""
    if not url.startswith("sqlite"):
        return create_engine(normalize_url(url), pool_pre_ping=True)
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


def alembic_config(url: str):  # noqa: ANN201 - alembic.config.Config, imported lazily
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def migrate(engine_url: str | Engine, revision: str = "head") -> None:
    """Upgrade a database to `revision` with the Alembic migrations (PostgreSQL's path)."""
    from alembic import command

    engine = engine_url if isinstance(engine_url, Engine) else make_engine(engine_url)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes migrating at once (several labs starting on a team database) queue here.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(872341)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    if not isinstance(engine_url, Engine):
        engine.dispose()


def create_tables(engine: Engine) -> None:
    """Create every table registered on SQLModel's metadata (memory, runs, patterns)."""
    if engine.url.get_backend_name() == "postgresql":
        migrate(engine)
        return
    database = engine.url.database
    try:
        # Processes starting on one new data dir take turns: create_all's "check, then create" races.
        with (
            file_lock(Path(f"{database}.init.lock")) if database and database != ":memory:" else nullcontext()
        ):
            create_all(engine)
    except DatabaseError as exc:
        # The first connection is where a damaged file shows: say which file, and that it was not touched.
        if engine.dialect.name == "sqlite" and any(m in str(exc.orig) for m in _CORRUPT):
            raise DatabaseFileError(
                f"{engine.url.database} is not a readable SQLite database ({exc.orig}); it was left "
                "untouched. Restore it from a backup, or move it away to start with an empty one."
            ) from exc
        raise
    if engine.url.get_backend_name() == "sqlite":
        from memory.lexical import ensure_fts

        ensure_fts(engine)


def create_all(engine: Engine, tables: list[Table] | None = None) -> None:
    """`create_all`, plus the nullable columns and the indexes a newer version added to a table
    that already exists (SQLite's upgrade path; PostgreSQL's is the Alembic migrations)."""
    SQLModel.metadata.create_all(engine, tables=tables)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for table in tables or SQLModel.metadata.sorted_tables:
            have = (
                {row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
                if sqlite
                else set()
            )
            for column in table.columns:
                if sqlite and column.name not in have and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
            for index in table.indexes:
                index.create(conn, checkfirst=True)
