"""Tables of customer matching (placeholder until the matching work defines them)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class MatchDecision(SQLModel, table=True):
    """A reviewer's decision on a Stripe customer ↔ P21 customer pair."""

    __tablename__ = "match_decision"

    id: int | None = Field(default=None, primary_key=True)
    stripe_customer_id: str = Field(max_length=64, index=True)
