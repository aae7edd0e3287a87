"""customer matching: reviewer decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_match_decision_stripe_customer_id", "match_decision", ["stripe_customer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_match_decision_stripe_customer_id", table_name="match_decision")
    op.drop_table("match_decision")
