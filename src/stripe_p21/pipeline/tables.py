"""Tables of the sync flows: which P21 document each Stripe object produced (`sync_link`), and
the payout reconciliation runs with their lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from stripe_p21.db.types import UTCDateTime, utcnow


class SyncLink(SQLModel, table=True):
    """One P21 effect of one Stripe object: unique per `(stripe_object_id, p21_kind)`.

    Kinds: `customer`, `order`, `payment` (a payment added to an existing order or invoice),
    `rma`, `gl_payout`, `gl_dispute_withdrawn`, `gl_dispute_reinstated`, `subscription`, …
    Written in the same transaction as the watermark, after P21 confirmed the document."""

    __tablename__ = "sync_link"
    __table_args__ = (UniqueConstraint("stripe_object_id", "p21_kind", name="uq_sync_link_object"),)

    id: int | None = Field(default=None, primary_key=True)
    stripe_object_id: str = Field(max_length=255)
    stripe_object_type: str = Field(max_length=64)
    p21_kind: str = Field(max_length=32)
    p21_document_no: str = Field(max_length=64, index=True)
    p21_customer_id: str | None = Field(default=None, max_length=32)
    currency: str | None = Field(default=None, max_length=3)
    amount_minor: int | None = Field(default=None)
    """What the document carries, in the currency's minor units (reconciliation compares it)."""
    status: str = Field(default="open", max_length=32)
    """Document state as we last set it: open, held, released, cancelled, credited, deleted."""
    mapping_version: str = Field(max_length=64)
    event_id: str | None = Field(default=None, max_length=255)
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReconciliationRun(SQLModel, table=True):
    """One reconciliation of one payout against what we synced."""

    __tablename__ = "reconciliation_run"

    id: int | None = Field(default=None, primary_key=True)
    payout_id: str = Field(max_length=255, unique=True)
    currency: str = Field(max_length=3)
    amount_minor: int
    automatic: bool
    status: str = Field(max_length=32)
    """matched, breaks, needs_review."""
    transactions: int
    matched: int
    breaks: int
    unexplained_minor: int
    gl_document_no: str | None = Field(default=None, max_length=64)
    mapping_version: str = Field(max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReconciliationLine(SQLModel, table=True):
    """One balance transaction of a payout and how it reconciled."""

    __tablename__ = "reconciliation_line"
    __table_args__ = (Index("ix_reconciliation_line_run", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="reconciliation_run.id")
    balance_transaction_id: str | None = Field(default=None, max_length=255)
    source_id: str | None = Field(default=None, max_length=255)
    type: str = Field(max_length=64)
    result: str = Field(max_length=32)
    """matched, missing_in_p21, amount_mismatch, fx_difference, unexplained_remainder,
    manual_payout_not_itemised, not_synced_kind (fees, adjustments: booked on the GL entry)."""
    amount_minor: int
    fee_minor: int = 0
    net_minor: int
    p21_document_no: str | None = Field(default=None, max_length=64)
    p21_amount_minor: int | None = None
    note: str | None = Field(default=None, max_length=500)
