"""memoryjob.attempts and retry_at: a job that raised is retried with backoff, then fails visibly

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("memoryjob", sa.Column("attempts", sa.Integer(), nullable=True))
    op.add_column("memoryjob", sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("memoryjob", "retry_at")
    op.drop_column("memoryjob", "attempts")
