"""mapping suggestions: accept/reject feedback

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from stripe_p21.db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mapping_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_schema", sa.String(length=160), nullable=False),
        sa.Column("target_schema", sa.String(length=160), nullable=False),
        sa.Column("target_field", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("transform", sa.String(length=32), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("scorer_version", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_mapping_feedback_pair",
        "mapping_feedback",
        ["source_schema", "target_schema", "target_field"],
    )


def downgrade() -> None:
    op.drop_index("ix_mapping_feedback_pair", table_name="mapping_feedback")
    op.drop_table("mapping_feedback")
