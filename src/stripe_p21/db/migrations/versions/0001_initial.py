"""inbox, attempts, rejections, watermarks, tokens, balance

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from stripe_p21.db.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "object_watermark",
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("event_created", UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("object_id"),
    )
    op.create_table(
        "stripe_balance",
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("available_minor", sa.Integer(), nullable=False),
        sa.Column("pending_minor", sa.Integer(), nullable=False),
        sa.Column("as_of", UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("account", "currency"),
    )
    op.create_table(
        "stripe_event",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("api_version", sa.String(length=64), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("account", sa.String(length=255), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_error_class", sa.String(length=255), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.create_index("ix_stripe_event_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stripe_event_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stripe_event_type"), ["type"], unique=False)

    op.create_table(
        "webhook_rejection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("header_names", sa.String(length=2000), nullable=False),
        sa.Column("body_bytes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_rejection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_rejection_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_webhook_rejection_reason"), ["reason"], unique=False)

    op.create_table(
        "event_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("error_class", sa.String(length=255), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["stripe_event.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_attempt_event_id"), ["event_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("event_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_attempt_event_id"))

    op.drop_table("event_attempt")
    with op.batch_alter_table("webhook_rejection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_rejection_reason"))
        batch_op.drop_index(batch_op.f("ix_webhook_rejection_at"))

    op.drop_table("webhook_rejection")
    with op.batch_alter_table("stripe_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_event_type"))
        batch_op.drop_index(batch_op.f("ix_stripe_event_received_at"))
        batch_op.drop_index("ix_stripe_event_due")

    op.drop_table("stripe_event")
    op.drop_table("stripe_balance")
    op.drop_table("object_watermark")
    op.drop_table("api_token")
