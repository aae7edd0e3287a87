"""Tables of customer matching: reviewer decisions (honoured and exported as training data) and
the local index of P21 customers, refreshed incrementally from P21's modified-since listing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from stripe_p21.db.types import UTCDateTime


def _ts(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class MatchDecision(SQLModel, table=True):
    """A reviewer's decision on a Stripe customer ↔ P21 customer pair (P21 id null = "new")."""

    __tablename__ = "match_decision"
    __table_args__ = (
        UniqueConstraint("stripe_customer_id", "p21_customer_id", name="uq_match_decision_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stripe_customer_id: str = Field(max_length=64, index=True)
    p21_customer_id: int | None = Field(default=None)
    decision: str = Field(max_length=16)
    """`link` (same customer), `reject` (not this one) or `new` (no P21 customer yet)."""
    reviewer: str = Field(max_length=128)
    note: str | None = Field(default=None, max_length=1000)
    features: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """JSON snapshot of the pair's features when decided, so it can become training data."""
    model_version: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_ts())


class MatchIndexCustomer(SQLModel, table=True):
    """One P21 customer as the matcher indexes it (raw fields; normalised on load)."""

    __tablename__ = "match_index_customer"

    p21_customer_id: int = Field(primary_key=True)
    name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=64)
    line1: str | None = Field(default=None, max_length=255)
    city: str | None = Field(default=None, max_length=128)
    state: str | None = Field(default=None, max_length=64)
    postal_code: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, max_length=64)
    name_key: str = Field(max_length=255, index=True)
    """The normalised core name, for people reading the table and for exact look-ups."""
    deleted: bool = False
    modified_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    refreshed_at: datetime = Field(sa_column=_ts())


class MatchIndexState(SQLModel, table=True):
    """The refresh watermark: P21 changes after `watermark` are not yet in the index."""

    __tablename__ = "match_index_state"

    source: str = Field(primary_key=True, max_length=64)
    watermark: datetime = Field(sa_column=_ts())
    refreshed_at: datetime = Field(sa_column=_ts())
    customers: int = 0
