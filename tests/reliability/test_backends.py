"""The memory system on both storage backends: SQLite + embedded Chroma, PostgreSQL + Chroma server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from agent_core.chat.agent import ChatAgent
from memory.lexical import fts_search
from memory.models import Memory


def lex_rows(engine) -> int:  # noqa: ANN001
    table = "memory_lex" if engine.dialect.name == "postgresql" else "memory_fts"
    with engine.connect() as c:
        return int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _ids(engine, namespace: str, query: str) -> list[str]:  # noqa: ANN001
    return [mid for mid, _score in fts_search(engine, namespace, query, 5)]


def test_write_recall_supersede_delete(backend, tmp_path: Path) -> None:  # noqa: ANN001
    lab = backend.lab(tmp_path / "d")
    try:
        conv = lab.conversations.create("alice").id
        agent = ChatAgent(lab, "alice", memory_mode="hot_path")
        assert not agent.turn(conv, "I live in Oslo.").error
        assert [m.content for m in lab.store.list("alice", "semantic")] == ["Lives in Oslo"]
        assert not agent.turn(conv, "I moved, I live in Lisbon now.").error
        current = [m.content for m in lab.store.list("alice", "semantic")]
        assert current == ["Lives in Lisbon"], current
        history = lab.store.list("alice", "semantic", include_history=True)
        assert {m.content for m in history} >= {"Lives in Oslo", "Lives in Lisbon"}
        top = lab.store.recall("alice", "where do I live?", 3)
        assert top and top[0].memory.content == "Lives in Lisbon"
        assert top[0].memory.id in _ids(lab.engine, "alice", "Lisbon")  # with the episode
        # Profiles are isolated.
        assert lab.store.recall("bob", "where do I live?", 3) == []
        assert lab.store.delete(top[0].memory.id)
        assert top[0].memory.id not in _ids(lab.engine, "alice", "Lisbon")
        assert top[0].memory.id not in lab.store.index.ids("alice", "semantic")
    finally:
        lab.close()


def test_lexical_cjk_and_bulk_ingest(backend, tmp_path: Path) -> None:  # noqa: ANN001
    lab = backend.lab(tmp_path / "d")
    try:
        mems = [Memory(namespace="zh", content=f"用户 {i} 住在北京的第{i}号公寓") for i in range(50)]
        mems.append(Memory(namespace="zh", content="用户喜欢上海的小笼包"))
        assert lab.store.add_many(mems) == 51
        hits = fts_search(lab.engine, "zh", "上海 小笼包", 5)
        assert hits[0][0] == mems[-1].id and hits[0][1] > 0  # (id, score), higher is better
        got = lab.store.recall("zh", "小笼包", 3)
        assert got[0].memory.id == mems[-1].id and got[0].parts.lexical_rank is not None
        assert lex_rows(lab.engine) == 51
        lab.store.edit(mems[-1].id, "用户喜欢广州的早茶")
        assert _ids(lab.engine, "zh", "小笼包") == []
        assert _ids(lab.engine, "zh", "早茶") == [mems[-1].id]
    finally:
        lab.close()


def test_reconcile_and_forget_profile(backend, tmp_path: Path) -> None:  # noqa: ANN001
    lab = backend.lab(tmp_path / "d")
    try:
        kept = lab.store.add(Memory(namespace="p", content="Likes green tea"), index_now=False)
        orphan = Memory(namespace="p", content="gone")
        lab.store.index.upsert("p", "semantic", [orphan.id], lab.embedder(["gone"]))
        report = lab.store.reconcile()
        assert (report.embedded, report.orphans_deleted) == (1, 1)
        assert lab.store.index.ids("p", "semantic") == {kept.id}
        conv = lab.conversations.create("p").id
        ChatAgent(lab, "p", memory_mode="background").turn(conv, "My dog is called Rex.")
        assert lab.background.flush(20)
        out = lab.forget_profile("p")
        assert out["memories"] >= 2 and out["conversations"] == 1 and out["runs"] >= 1
        with lab.engine.connect() as c:
            for table in ("memory", "memoryevent", "memoryjob", "run", "conversation"):
                where = "namespace" if table.startswith("memory") else "profile"
                assert c.execute(text(f"SELECT count(*) FROM {table} WHERE {where} = 'p'")).scalar() == 0
        assert lex_rows(lab.engine) == 0
        assert lab.store.index.ids("p", "semantic") == set()
    finally:
        lab.close()


def test_migrations_match_the_models(backend, tmp_path: Path) -> None:  # noqa: ANN001
    """Every SQLModel table and column is in the migrations (a new table needs a new revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from memory.db import make_engine, migrate
    from memory.migrations import include_object

    url = backend.db_url or f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == [], (
        "the models changed without a migration: run `alembic -c memory/migrations/alembic.ini "
        f"-x url=… revision --autogenerate -m '…'` ({diff})"
    )


def test_the_engine_process_shares_the_server_backends(backend, tmp_path: Path) -> None:  # noqa: ANN001
    """With PostgreSQL and a Chroma server the engine child connects to both itself."""
    import pytest

    from agent_core.runtime.engine import ProcessEngine
    from labkit import recall_here_what_the_child_wrote

    lab = backend.lab(tmp_path / "d")
    try:
        if not ProcessEngine.supported(lab):
            assert backend.chroma is None  # an in-process Chroma folder is not shared
            pytest.skip("embedded Chroma without its index process: the engine runs in-process")
        engine = ProcessEngine(lab)
        try:
            recall_here_what_the_child_wrote(engine, lab, timeout=60)
        finally:
            engine.close()
    finally:
        lab.close()
