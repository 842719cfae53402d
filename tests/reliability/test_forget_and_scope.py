"""Regression tests: forget covers every profile-keyed table, the CLI stays in its profile, and
exports and the Chroma folder are user-only whatever the caller's umask."""

from __future__ import annotations

import importlib
import os
import random
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from agent_core.lab import Lab
from labkit import make_settings
from memory.models import Memory

ROOT = Path(__file__).resolve().parents[2]
# Columns that tie a row to a profile, directly or through its run or conversation.
OWNER_COLUMNS = {"profile", "namespace", "run_id", "conversation_id"}


def _cli(data_dir: Path, profile: str, *args: str) -> int:
    from agent_core.cli.main import main

    return main(
        ["memory", *args, "--data-dir", str(data_dir), "--embedder", "hash-256", "--profile", profile]
    )


def _count(lab: Lab, sql: str, **params: object) -> int:
    with lab.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _loose(root: Path) -> list[str]:
    """Paths under `root` that group or others may read, write or enter."""
    return [
        f"{oct(stat.S_IMODE(p.stat().st_mode))} {p.relative_to(root)}"
        for p in [root, *root.rglob("*")]
        if p.stat().st_mode & 0o077
    ]


# -- 1. forget: every table, and an audit of only the forgotten profile's data -------------------
def test_every_profile_keyed_table_is_in_the_forget_registry() -> None:
    from memory.audit import PROFILE_TABLES

    for path in sorted([*(ROOT / "agent_core").rglob("*.py"), *(ROOT / "memory").rglob("*.py")]):
        if "table=True" in path.read_text(encoding="utf-8"):
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    registered = {table for table, _where in PROFILE_TABLES}
    keyed = {t.name for t in SQLModel.metadata.sorted_tables if OWNER_COLUMNS & set(t.columns.keys())}
    assert {"memory", "run", "conversation", "ambient_item", "ambient_processed"} <= keyed
    assert keyed - registered == set(), "register these tables in memory.audit.PROFILE_TABLES"


def test_forget_deletes_the_profiles_ambient_rows(lab: Lab) -> None:
    from agent_core.ambient import AmbientAgent, AmbientHub, CalendarSource, EmailSource

    agents = [
        AmbientAgent("alice-triage", "triage", "alice"),
        AmbientAgent("alice-scheduler", "scheduler", "alice"),
        AmbientAgent("bob-triage", "triage", "bob"),
    ]
    hub = AmbientHub(lab, agents)
    emails = {e.id: e for e in EmailSource().events()}
    for eid in ("e001", "e026", "e058"):
        hub.deliver(emails[eid])
    hub.deliver(CalendarSource().events()[0])
    (review,) = [it for it in hub.inbox.items() if it.agent == "alice-scheduler"]
    hub.answer(review.id, {"type": "accept"})
    tables = {
        "ambient_item": "SELECT COUNT(*) FROM ambient_item WHERE agent LIKE :a",
        "ambient_processed": "SELECT COUNT(*) FROM ambient_processed WHERE agent LIKE :a",
        "ambient_action": "SELECT COUNT(*) FROM ambient_action WHERE agent LIKE :a",
    }
    assert all(_count(lab, q, a="alice-%") for q in tables.values())
    bob_before = {t: _count(lab, q, a="bob-%") for t, q in tables.items()}

    lab.forget_profile("alice")

    assert {t: _count(lab, q, a="alice-%") for t, q in tables.items()} == dict.fromkeys(tables, 0)
    assert {t: _count(lab, q, a="bob-%") for t, q in tables.items()} == bob_before
    assert _count(lab, "SELECT COUNT(*) FROM run WHERE profile = 'bob'")


def test_forget_audit_ignores_words_another_profile_still_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent_core.cli.main import main

    data = tmp_path / "d"
    for profile in ("alice", "bob"):
        common = ["--data-dir", str(data), "--embedder", "hash-256", "--profile", profile]
        assert main(["chat", *common, "I live in Berlin."]) == 0
    lab = Lab(data, make_settings())
    try:
        shared = {m.content for m in lab.store.list("alice")} & {m.content for m in lab.store.list("bob")}
    finally:
        lab.close()
    assert shared, "both profiles should hold the same fact"
    capsys.readouterr()

    assert _cli(data, "alice", "forget", "--yes") == 0, capsys.readouterr().out
    assert "audit: clean" in capsys.readouterr().out
    lab = Lab(data, make_settings())
    try:
        assert not lab.store.list("alice") and shared <= {m.content for m in lab.store.list("bob")}
    finally:
        lab.close()


# -- 2. delete stays inside --profile ---------------------------------------------------------------
@pytest.mark.parametrize("verify", [False, True], ids=["plain", "verify"])
def test_cli_delete_refuses_another_profiles_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verify: bool
) -> None:
    data = tmp_path / "d"
    lab = Lab(data, make_settings())
    try:
        bobs = lab.store.add(Memory(namespace="bob", content="Bob's bank is Gringotts")).id
    finally:
        lab.close()
    extra = ["--verify"] if verify else []
    capsys.readouterr()

    assert _cli(data, "alice", "delete", bobs, *extra) == 2
    out = capsys.readouterr().out
    assert "error" in out and "bob" not in out.lower().replace(bobs, "")  # no peek at the owner
    lab = Lab(data, make_settings())
    try:
        assert lab.store.get(bobs) is not None and lab.store.get(bobs).deleted_at is None
    finally:
        lab.close()
    assert _cli(data, "bob", "delete", bobs, *extra) == 0


# -- 3. exports are user-only, also over an existing file --------------------------------------------
@pytest.mark.parametrize("whole", [False, True], ids=["profile", "project"])
def test_export_over_an_existing_readable_file_is_user_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], whole: bool
) -> None:
    data, out = tmp_path / "d", tmp_path / "export.json"
    lab = Lab(data, make_settings())
    try:
        lab.store.add(Memory(namespace="alice", content="Alice's PIN hint is her cat"))
    finally:
        lab.close()
    out.write_text("old export")
    out.chmod(0o644)

    assert _cli(data, "alice", "export", "--out", str(out), *(["--all"] if whole else [])) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "PIN hint" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []  # no temp left


def test_write_export_is_user_only_under_a_loose_umask(tmp_path: Path) -> None:
    from memory.transfer import write_export

    out = tmp_path / "x.json"
    old = os.umask(0o022)
    try:
        write_export(out, {"a": 1})
        out.chmod(0o664)
        write_export(out, {"a": 2})
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and '"a": 2' in out.read_text()


# -- 4. the Chroma folder is user-only when Lab is used straight from Python ------------------------
def test_lab_files_are_user_only_under_a_loose_umask(tmp_path: Path) -> None:
    from memory.index import ChromaIndex

    old = os.umask(0o022)
    try:
        lab = Lab(tmp_path / "d", make_settings())
        try:
            lab.warm_up()
            lab.store.add(Memory(namespace="alice", content="Alice's locker code is 4711"))
            lab.store.recall("alice", "locker code", k=1)
        finally:
            lab.close()
        # a bigger collection makes Chroma write more files later (e.g. index_metadata.pickle)
        index = ChromaIndex(tmp_path / "d" / "chroma", "bulk")
        rng = random.Random(0)
        ids = [f"v{i}" for i in range(2500)]
        index.upsert("alice", "semantic", ids, [[rng.random() for _ in range(8)] for _ in ids])
        index.delete("alice", "semantic", ids[:100])
    finally:
        os.umask(old)
    data = tmp_path / "d"
    assert (data / "chroma").is_dir() and any((data / "chroma").iterdir())
    assert _loose(data) == []
