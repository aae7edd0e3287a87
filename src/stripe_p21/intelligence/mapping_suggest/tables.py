"""Reviewer decisions on field-mapping suggestions: each accept or reject is a row, the latest
per (schema pair, target field, source) wins, and accepted ones export as config."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from stripe_p21.db.types import UTCDateTime


class MappingFeedback(SQLModel, table=True):
    """An accepted or rejected field-mapping suggestion."""

    __tablename__ = "mapping_feedback"
    __table_args__ = (
        Index("ix_mapping_feedback_pair", "source_schema", "target_schema", "target_field"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_schema: str = Field(max_length=160)
    """`stripe.Charge`, `p21.oe_hdr`, or `inline.<name>` for a schema sent as JSON."""
    target_schema: str = Field(max_length=160)
    target_field: str = Field(max_length=128)
    source: str = Field(max_length=256)
    """The source field path (`amount`, `metadata.order_id`)."""
    transform: str | None = Field(default=None, max_length=32)
    accepted: bool
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_by: str | None = Field(default=None, max_length=128)
    """Name of the API token that made the decision."""
    scorer_version: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
