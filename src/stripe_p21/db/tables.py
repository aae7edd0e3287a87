"""SQLModel tables of the foundation: the event inbox, its attempts, rejected deliveries,
per-object watermarks, API tokens and the Stripe balance mirror kept by the first handler."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import cast

from sqlalchemy import Column, Index, Table, Text
from sqlmodel import Field, SQLModel

from stripe_p21.db.types import UTCDateTime, utcnow


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy `Table` behind a SQLModel class, for Core statements."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


class EventStatus(enum.StrEnum):
    """Lifecycle of an inbox event; `pipeline.transitions` holds the allowed moves."""

    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    IGNORED = "ignored"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    DEAD = "dead"


class StripeEvent(SQLModel, table=True):
    """The inbox: one row per Stripe event id, stored before we answer 2xx."""

    __tablename__ = "stripe_event"
    __table_args__ = (Index("ix_stripe_event_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=255, index=True)
    api_version: str | None = Field(default=None, max_length=64)
    created: datetime = Field(sa_column=_ts())
    livemode: bool = False
    account: str | None = Field(default=None, max_length=255)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=_ts(index=True))
    status: str = Field(default=EventStatus.RECEIVED, max_length=32)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error_class: str | None = Field(default=None, max_length=255)
    last_error_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    processed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class EventAttempt(SQLModel, table=True):
    """One row per run of `process_event`: who ran it, how long, how it ended."""

    __tablename__ = "event_attempt"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="stripe_event.id", index=True, max_length=255)
    attempt: int
    worker: str = Field(max_length=128)
    started_at: datetime = Field(sa_column=_ts())
    finished_at: datetime = Field(sa_column=_ts())
    outcome: str = Field(max_length=32)
    error_class: str | None = Field(default=None, max_length=255)
    error_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WebhookRejection(SQLModel, table=True):
    """A delivery we refused: why, from where, which headers, how big. Never the signature."""

    __tablename__ = "webhook_rejection"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_ts(index=True))
    reason: str = Field(max_length=64, index=True)
    detail: str = Field(max_length=500)
    remote_addr: str | None = Field(default=None, max_length=64)
    header_names: str = Field(default="", max_length=2000)
    body_bytes: int = 0


class ObjectWatermark(SQLModel, table=True):
    """Newest event applied per Stripe object, so a stale redelivery cannot undo newer state."""

    __tablename__ = "object_watermark"

    object_id: str = Field(primary_key=True, max_length=255)
    object_type: str = Field(max_length=64)
    event_created: datetime = Field(sa_column=_ts())
    event_id: str = Field(max_length=255)
    updated_at: datetime = Field(sa_column=_ts())


class TokenRole(enum.StrEnum):
    """What a bearer token may do: admins everything, reviewers act, viewers read."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_ts())
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class StripeBalance(SQLModel, table=True):
    """Mirror of the Stripe balance per currency, kept by the `balance.available` handler."""

    __tablename__ = "stripe_balance"

    account: str = Field(primary_key=True, max_length=255)
    currency: str = Field(primary_key=True, max_length=3)
    available_minor: int
    pending_minor: int
    as_of: datetime = Field(sa_column=_ts())
    event_id: str = Field(max_length=255)


__all__ = [
    "ApiToken",
    "EventAttempt",
    "EventStatus",
    "ObjectWatermark",
    "StripeBalance",
    "StripeEvent",
    "TokenRole",
    "WebhookRejection",
    "table_of",
    "utcnow",
]
