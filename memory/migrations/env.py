"""Alembic environment: the target is SQLModel.metadata with every table of the app registered."""

from __future__ import annotations

import importlib
import os

from alembic import context
from sqlmodel import SQLModel

import memory.models  # noqa: F401
from memory.db import make_engine
from memory.migrations import include_object

# The app's tables (runs, steps, conversations, messages, pattern tables) live above `memory` in
# the layers; the migration tool is the one place that needs them all, so it loads them by name
# (a static import would break the `agent_core → memory` layering contract).
for _module in ("agent_core.lab", "agent_core.ambient.inbox"):  # every module that defines tables
    importlib.import_module(_module)

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("AGENT_UX_LAB_DB")
        or config.get_main_option("sqlalchemy.url")
        or ""
    )


def run_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, include_object=include_object, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # memory.db.migrate passes its connection (and transaction)
        context.configure(
            connection=connection, target_metadata=target_metadata, include_object=include_object
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
