"""Deletion audit: after a delete, search every byte the app keeps for the deleted text and ids.

Two passes. A *structured* pass searches each table's text columns (memories, history, jobs,
runs and steps (traces), messages, instructions, the ambient inbox, feedback proposals, the FTS
index) so a hit says where it lives. A *raw* pass reads every file under the data dir (the SQLite
file and its WAL, the Chroma folder, settings, caches) as bytes, so text left in free pages, WAL
frames, index segments or vector files is found too. `purge()` is what makes a delete final on disk: FTS merge, WAL checkpoint, VACUUM.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

# table → (scope, text columns); scope "memory" must be clean after any memory delete,
# "trace"/"conversation" only after a profile is forgotten (they hold the user's own words).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "memory": ("memory", ("id", "content", "value", "source_text", "situation", "outcome", "superseded_by")),
    "memoryevent": ("memory", ("memory_id", "old", "new")),
    "memoryjob": ("memory", ("payload_json",)),
    "memory_fts": ("memory", ("mid", "body")),
    "step": ("trace", ("input_json", "output_json")),
    "run": ("trace", ("title",)),
    "message": ("conversation", ("content",)),
    "instruction": ("conversation", ("text",)),
    "ambient_item": ("conversation", ("title", "description", "action_json", "response_json")),
    "ambient_processed": ("conversation", ("event_json",)),
    "ambient_action": ("trace", ("args_json",)),
    "feedback_proposal": ("conversation", ("proposal_json",)),
}
MIN_NEEDLE = 4

_OF_RUNS = "run_id IN (SELECT id FROM run WHERE profile = :p)"
# Every table that holds a profile's rows → the SQL condition selecting them (`:p` is the profile).
# The one registry `Lab.forget_profile` deletes through, in this order (rows found through a run or
# a conversation go before it), and what tells the audit a leftover from another profile's own
# copy. A new table keyed by profile (or by a run or conversation) must be added here: a test
# fails otherwise. Memory rows go through `MemoryStore.delete_namespace` first (FTS and vectors).
PROFILE_TABLES: tuple[tuple[str, str], ...] = (
    ("memory", "namespace = :p"),
    ("memoryevent", "namespace = :p"),
    ("memoryjob", "namespace = :p"),
    ("instruction", "namespace = :p"),
    ("step", _OF_RUNS),
    ("ambient_processed", _OF_RUNS),
    ("ambient_action", _OF_RUNS),
    ("ambient_item", f"profile = :p OR {_OF_RUNS}"),
    ("feedback_proposal", "profile = :p"),
    ("run", "profile = :p"),
    ("message", "conversation_id IN (SELECT id FROM conversation WHERE profile = :p)"),
    ("conversation", "profile = :p"),
)


@dataclass
class Hit:
    needle: str
    where: str  # "table.column" or a file path relative to the data dir
    scope: str  # memory, tombstone, trace, conversation, file
    count: int = 1


@dataclass
class AuditReport:
    needles: list[str]
    scope: str  # memory | profile
    structured: list[Hit] = field(default_factory=list)
    files: list[Hit] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0

    @property
    def failures(self) -> list[Hit]:
        """Hits that mean the deletion did not delete (for this scope)."""
        if self.scope == "profile":
            return self.structured + self.files
        kept = {h.needle for h in self.structured if h.scope != "memory"}  # in a trace or the conversation
        return [h for h in self.structured if h.scope == "memory"] + [
            h for h in self.files if h.needle not in kept and h not in self.warnings
        ]

    @property
    def warnings(self) -> list[Hit]:
        """A deleted vector's bare id (no text) may wait in Chroma's operation log until it compacts."""
        if self.scope == "profile":
            return []
        return [h for h in self.files if _is_id(h.needle) and h.where.startswith("chroma")]

    @property
    def clean(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.clean:
            kept = {h.where for h in self.structured}
            extra = f" (still in {', '.join(sorted(kept))}: the conversation itself)" if kept else ""
            return f"clean: {len(self.needles)} needles, {self.files_scanned} files scanned{extra}"
        where = ", ".join(sorted({f"{h.where}" for h in self.failures}))
        return f"FOUND deleted data in: {where}"

    def as_dict(self) -> dict:
        return {
            "clean": self.clean,
            "scope": self.scope,
            "needles": self.needles,
            "structured": [vars(h) for h in self.structured],
            "files": [vars(h) for h in self.files],
            "failures": [vars(h) for h in self.failures],
            "warnings": [vars(h) for h in self.warnings],
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "summary": self.summary(),
        }


def needles_for(
    engine: Engine, *, namespace: str | None = None, memory_ids: list[str] | None = None
) -> list[str]:
    """What to look for after deleting these memories (or the whole profile): their texts and ids.

    For a whole profile, texts that other profiles hold too are left out (see `held_by_others`).
    """
    clauses, params = [], {}
    if namespace:
        clauses.append("namespace = :ns")
        params["ns"] = namespace
    if memory_ids:
        clauses.append("id IN (" + ",".join(f":i{n}" for n in range(len(memory_ids))) + ")")
        params |= {f"i{n}": m for n, m in enumerate(memory_ids)}
    if not clauses:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT id, content, source_text FROM memory WHERE {' OR '.join(clauses)}"), params
        ).all()
    out: list[str] = []
    for mid, content, _src in rows:
        out += [mid, content]
    needles = [n for n in dict.fromkeys(out) if n and len(n) >= MIN_NEEDLE]
    if namespace and not memory_ids:
        shared = held_by_others(engine, needles, namespace)
        needles = [n for n in needles if n not in shared]
    return needles


def held_by_others(engine: Engine, needles: list[str], profile: str) -> set[str]:
    """The needles that rows of other profiles hold too (call it before deleting `profile`).

    After a profile is forgotten the audit looks for its texts everywhere, raw files included, and
    cannot tell whose bytes a hit is: when bob also "lives in Berlin", his copy is legitimately
    there. So these needles are left out of a profile's audit (in practice shared texts: an id
    belongs to one row); a text only the forgotten profile held is still searched for everywhere.
    """
    existing = set(inspect(engine).get_table_names())
    owners = dict(PROFILE_TABLES)
    shared: set[str] = set()
    with engine.connect() as conn:
        for table, (_scope, cols) in TABLES.items():
            if table not in existing or table not in owners:
                continue
            for c in cols:
                for n in needles:
                    if n in shared:
                        continue
                    hit = conn.execute(
                        text(
                            f'SELECT 1 FROM "{table}" WHERE NOT ({owners[table]})'
                            f" AND lower(CAST(\"{c}\" AS TEXT)) LIKE :n ESCAPE '!' LIMIT 1"
                        ),
                        {"p": profile, "n": f"%{_escape_like(n.lower())}%"},
                    ).first()
                    if hit is not None:
                        shared.add(n)
    return shared


def _escape_like(s: str) -> str:
    """`s` as a literal inside a LIKE pattern with ESCAPE '!' (an email's `_` is not a wildcard)."""
    return s.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def audit(
    engine: Engine,
    data_dir: Path | str | None,
    needles: list[str],
    *,
    scope: str = "memory",
    extra_dirs: list[Path] | None = None,
) -> AuditReport:
    """Search tables and raw files for every needle (case-insensitive)."""
    needles = [n for n in dict.fromkeys(needles) if n and len(n) >= MIN_NEEDLE]
    report = AuditReport(needles, scope)
    if not needles:
        return report
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table, (tscope, cols) in TABLES.items():
            if table not in existing:  # e.g. no FTS table on PostgreSQL
                continue
            for c in cols:
                for n in needles:
                    count = conn.execute(
                        text(f'SELECT COUNT(*) FROM "{table}" WHERE lower(CAST("{c}" AS TEXT)) LIKE :p'),
                        {"p": f"%{n.lower()}%"},
                    ).scalar_one()
                    if count:
                        where = f"{table}.{c}"
                        hit_scope = "tombstone" if where == "memoryevent.memory_id" else tscope
                        report.structured.append(Hit(n, where, hit_scope, int(count)))
    roots = [Path(d) for d in [data_dir, *(extra_dirs or [])] if d]
    encoded = [(n, n.lower().encode("utf-8")) for n in needles]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                blob = path.read_bytes().lower()
            except OSError:
                continue
            report.files_scanned += 1
            report.bytes_scanned += len(blob)
            for n, b in encoded:
                found = blob.count(b)
                if found:
                    report.files.append(Hit(n, str(path.relative_to(root)), "file", found))
    return report


def _is_id(needle: str) -> bool:
    return len(needle) == 32 and all(ch in "0123456789abcdef" for ch in needle)


def _is_uuid(name: str) -> bool:
    return len(name) == 36 and name.count("-") == 4 and all(ch in "0123456789abcdef-" for ch in name)


def purge(engine: Engine, chroma_dir: Path | str | None = None) -> None:
    """Make deletes final on disk: merge the FTS index, checkpoint the WAL, VACUUM free pages.

    Chroma's own SQLite file is vacuumed too (a dropped collection's ids otherwise linger in
    free pages); a deleted vector's id may stay in Chroma's operation log until it compacts.
    """
    chroma_db = Path(chroma_dir) / "chroma.sqlite3" if chroma_dir else None
    if chroma_db is not None and chroma_db.is_file():
        con = sqlite3.connect(chroma_db, timeout=30)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("VACUUM")
            live = {row[0] for row in con.execute("SELECT id FROM segments")}
        finally:
            con.close()
        # A dropped collection's vector segment folder can outlive it on disk: remove it.
        for folder in chroma_db.parent.iterdir():
            if folder.is_dir() and _is_uuid(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
    if engine.url.get_backend_name() != "sqlite":
        return
    if "memory_fts" in inspect(engine).get_table_names():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO memory_fts(memory_fts) VALUES('optimize')"))
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        conn.exec_driver_sql("VACUUM")
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def scrub_job_payloads(engine: Engine, namespace: str, memory_ids: list[str]) -> int:
    """Drop deleted memories from finished jobs' payloads (a hot-path save is echoed in the episode)."""
    if not memory_ids:
        return 0
    doomed = set(memory_ids)
    changed = 0
    with engine.begin() as conn:
        jobs = conn.execute(text("SELECT COUNT(*) FROM memoryjob WHERE namespace = :ns"), {"ns": namespace})
        if not jobs.scalar_one():
            return 0
        for n in doomed:
            rows = conn.execute(
                text("SELECT id, payload_json FROM memoryjob WHERE namespace = :ns AND payload_json LIKE :p"),
                {"ns": namespace, "p": f"%{n}%"},
            ).all()
            for job_id, raw in rows:
                conn.execute(
                    text("UPDATE memoryjob SET payload_json = :p WHERE id = :id"),
                    {"p": json.dumps(_without(json.loads(raw), doomed), ensure_ascii=False), "id": job_id},
                )
                changed += 1
    return changed


def _without(obj: object, ids: set[str]) -> object:
    """`obj` with every dict whose "id" is in `ids` removed."""
    if isinstance(obj, dict):
        return {k: _without(v, ids) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_without(v, ids) for v in obj if not (isinstance(v, dict) and v.get("id") in ids)]
    return obj
