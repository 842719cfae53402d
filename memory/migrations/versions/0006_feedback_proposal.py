"""feedback_proposal: pending feedback proposals, persisted so every process on a data dir sees them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_proposal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("proposal_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_feedback_proposal_profile"), "feedback_proposal", ["profile"], unique=False)
    op.create_index(op.f("ix_feedback_proposal_status"), "feedback_proposal", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_proposal_status"), table_name="feedback_proposal")
    op.drop_index(op.f("ix_feedback_proposal_profile"), table_name="feedback_proposal")
    op.drop_table("feedback_proposal")
