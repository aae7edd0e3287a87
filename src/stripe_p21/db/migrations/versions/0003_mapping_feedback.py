"""mapping suggestions: accept/reject feedback

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mapping_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_field", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mapping_feedback_target_field", "mapping_feedback", ["target_field"])


def downgrade() -> None:
    op.drop_index("ix_mapping_feedback_target_field", table_name="mapping_feedback")
    op.drop_table("mapping_feedback")
