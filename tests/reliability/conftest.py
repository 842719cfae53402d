"""The storage backends the memory suite runs against.

`backend` is parametrised: SQLite + embedded Chroma always; PostgreSQL + a Chroma server when
AGENT_UX_LAB_TEST_PG and AGENT_UX_LAB_TEST_CHROMA are set (scripts/ci_services.sh does that in
CI), otherwise skipped with the reason. Server state is wiped before each test (tables truncated,
collections dropped), so tests stay independent while sharing one database and one server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

PG = os.environ.get("AGENT_UX_LAB_TEST_PG")
CHROMA = os.environ.get("AGENT_UX_LAB_TEST_CHROMA")
SERVER_SKIP = (
    "server backends need AGENT_UX_LAB_TEST_PG and AGENT_UX_LAB_TEST_CHROMA (see scripts/ci_services.sh)"
)


@dataclass(frozen=True)
class Backend:
    name: str
    db_url: str | None  # None: SQLite in the data dir
    chroma: str | None  # None: a persistent folder in the data dir

    def lab(self, data_dir: Path, **settings: object):  # noqa: ANN201 - Lab
        from agent_core.lab import Lab
        from labkit import make_settings

        lab = Lab(data_dir, make_settings(**settings), db_url=self.db_url, chroma=self.chroma)
        lab.warm_up()
        return lab


def _wipe_server(backend: Backend) -> None:
    import chromadb
    from chromadb.config import Settings
    from sqlalchemy import inspect, text
    from sqlmodel import SQLModel

    import agent_core.lab  # noqa: F401 - registers every table
    from memory import lexical
    from memory.db import make_engine, migrate

    engine = make_engine(backend.db_url or "")
    migrate(engine)
    present = set(
        inspect(engine).get_table_names()
    )  # a table without a migration yet is the drift test's job
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name in present)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names}, memory_lex RESTART IDENTITY"))
    engine.dispose()
    lexical._df_cache.clear()
    url = urlparse(backend.chroma or "")
    client = chromadb.HttpClient(
        host=url.hostname or "127.0.0.1", port=url.port or 8000, settings=Settings(anonymized_telemetry=False)
    )
    for col in client.list_collections():
        client.delete_collection(col.name)


@pytest.fixture(
    params=[
        pytest.param(Backend("sqlite+embedded", None, None), id="sqlite"),
        pytest.param(Backend("postgres+server", PG, CHROMA), id="postgres"),
    ]
)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    b: Backend = request.param
    if b.name == "postgres+server":
        if not (PG and CHROMA):
            pytest.skip(SERVER_SKIP)
        _wipe_server(b)
    yield b
