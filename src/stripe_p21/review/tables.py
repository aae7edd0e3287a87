"""Review items and the audit log of every action taken on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from stripe_p21.db.types import UTCDateTime, utcnow


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    RETRIED = "retried"


class ReviewItem(SQLModel, table=True):
    """Something a person must look at. One open item per `(queue, reason, stripe_object_id)`:
    raising the same problem again updates it instead of adding a second."""

    __tablename__ = "review_item"
    __table_args__ = (
        Index("ix_review_item_queue_status", "queue", "status"),
        Index("ix_review_item_dedupe", "dedupe_key", unique=True),
        Index("ix_review_item_fingerprint", "fingerprint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=32)
    reason: str = Field(max_length=64)
    priority: int = Field(default=3)
    """1 (urgent) … 5 (whenever)."""
    status: str = Field(default=ReviewStatus.OPEN.value, max_length=16)
    title: str = Field(max_length=500)
    stripe_object_id: str | None = Field(default=None, max_length=255, index=True)
    event_id: str | None = Field(default=None, max_length=255)
    dedupe_key: str = Field(max_length=600)
    fingerprint: str = Field(max_length=80)
    """`<strategy>:<sha256 prefix>` of the parameterised message; identical problems group."""
    message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    evidence: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    """Stripe object, P21 message, the commands attempted, suggestions."""
    links: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Event ids, P21 documents."""
    occurrences: int = Field(default=1)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    resolved_by: str | None = Field(default=None, max_length=128)
    resolution_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AuditLog(SQLModel, table=True):
    """Who or what did what to which item, and why. Append-only."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor: str = Field(max_length=128)
    action: str = Field(max_length=32)
    subject_type: str = Field(max_length=32)
    subject_id: str = Field(max_length=255, index=True)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
