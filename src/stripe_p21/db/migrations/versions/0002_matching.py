"""customer matching: reviewer decisions and the local P21 customer index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from stripe_p21.db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=False),
        sa.Column("p21_customer_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("features", sa.Text(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stripe_customer_id", "p21_customer_id", name="uq_match_decision_pair"),
    )
    with op.batch_alter_table("match_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_decision_stripe_customer_id"),
            ["stripe_customer_id"],
            unique=False,
        )
    op.create_table(
        "match_index_customer",
        sa.Column("p21_customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("line1", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=True),
        sa.Column("postal_code", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=True),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("p21_customer_id"),
    )
    with op.batch_alter_table("match_index_customer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_index_customer_name_key"), ["name_key"], unique=False
        )
    op.create_table(
        "match_index_state",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("watermark", UTCDateTime(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("match_index_state")
    with op.batch_alter_table("match_index_customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_index_customer_name_key"))
    op.drop_table("match_index_customer")
    with op.batch_alter_table("match_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_decision_stripe_customer_id"))
    op.drop_table("match_decision")
