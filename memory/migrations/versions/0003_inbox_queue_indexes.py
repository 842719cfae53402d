"""inbox queue indexes: a page of the most urgent items and the per-agent counts stay cheap

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    queue: list[str | sa.TextClause] = [sa.text("priority DESC"), "created_at", "id"]
    op.create_index("ix_ambient_item_queue", "ambient_item", ["status", *queue])
    op.create_index("ix_ambient_item_agent_queue", "ambient_item", ["agent", "status", *queue])
    op.create_index("ix_ambient_item_counts", "ambient_item", ["status", "agent", "read"])


def downgrade() -> None:
    for name in ("ix_ambient_item_counts", "ix_ambient_item_agent_queue", "ix_ambient_item_queue"):
        op.drop_index(name, table_name="ambient_item")
