"""Alembic migrations for the server database (PostgreSQL); see memory.db.migrate.

New table or column: `alembic -c memory/migrations/alembic.ini -x url=postgresql://… revision
--autogenerate -m "what"` against a database at head, then review the generated file.
"""

from __future__ import annotations

# Lexical-index tables are not SQLModel tables (FTS5 virtual tables on SQLite, `memory_lex` on
# PostgreSQL, created by revision 0001): autogenerate must neither drop nor diff them.
UNMANAGED_PREFIXES = ("memory_fts", "memory_lex")


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:  # noqa: ANN001
    table = obj.table.name if type_ in ("index", "column", "unique_constraint") else name
    return not (reflected and compare_to is None and str(table or "").startswith(UNMANAGED_PREFIXES))
