"""Reviewer decisions on Stripe ↔ P21 customer pairs: stored once per pair (a later decision
replaces the earlier one), honoured by the matcher so nobody is asked twice, and exported as
labelled training rows."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import table_of
from stripe_p21.db.types import utcnow
from stripe_p21.intelligence.matching.tables import MatchDecision


class DecisionKind(enum.StrEnum):
    LINK = "link"
    """The Stripe customer is this P21 customer."""
    REJECT = "reject"
    """The Stripe customer is not this P21 customer."""
    NEW = "new"
    """No P21 customer is this Stripe customer (p21_customer_id is null)."""


@dataclass(frozen=True, slots=True)
class ReviewerDecision:
    stripe_customer_id: str
    p21_customer_id: int | None
    decision: DecisionKind
    reviewer: str
    note: str | None
    created_at: datetime


def _view(row: MatchDecision) -> ReviewerDecision:
    return ReviewerDecision(
        row.stripe_customer_id, row.p21_customer_id, DecisionKind(row.decision), row.reviewer,
        row.note, row.created_at,
    )  # fmt: skip


async def record_decision(
    sessions: async_sessionmaker[AsyncSession],
    *,
    stripe_customer_id: str,
    p21_customer_id: int | None,
    decision: DecisionKind,
    reviewer: str,
    note: str | None = None,
    features: dict[str, Any] | None = None,
    model_version: str | None = None,
) -> ReviewerDecision:
    """Store (or replace) the decision on one pair."""
    if (decision is DecisionKind.NEW) != (p21_customer_id is None):
        raise ValueError("a 'new' decision has no P21 customer; 'link'/'reject' need one")
    c = table_of(MatchDecision).c
    pair = c.p21_customer_id == p21_customer_id
    same = c.p21_customer_id.is_(None) if p21_customer_id is None else pair
    stmt = select(MatchDecision).where(c.stripe_customer_id == stripe_customer_id, same)
    async with sessions() as session:
        row = (await session.execute(stmt)).scalar_one_or_none() or MatchDecision(
            stripe_customer_id=stripe_customer_id, p21_customer_id=p21_customer_id,
            decision=decision.value, reviewer=reviewer, created_at=utcnow(),
        )  # fmt: skip
        row.decision, row.reviewer, row.note = decision.value, reviewer, note
        row.features = json.dumps(features, sort_keys=True) if features is not None else None
        row.model_version, row.created_at = model_version, utcnow()
        session.add(row)
        await session.commit()
        return _view(row)


async def decisions_for(
    sessions: async_sessionmaker[AsyncSession], stripe_customer_id: str
) -> list[ReviewerDecision]:
    stmt = (
        select(MatchDecision)
        .where(MatchDecision.stripe_customer_id == stripe_customer_id)  # type: ignore[arg-type]
        .order_by(MatchDecision.created_at.desc())  # type: ignore[attr-defined]
    )
    async with sessions() as session:
        return [_view(row) for row in (await session.execute(stmt)).scalars()]


async def training_rows(sessions: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    """Decided pairs with a feature snapshot, labelled 1 (link) or 0 (reject)."""
    stmt = select(MatchDecision).where(MatchDecision.features.is_not(None))  # type: ignore[union-attr]
    async with sessions() as session:
        rows = list((await session.execute(stmt)).scalars())
    return [
        {
            "stripe_customer_id": row.stripe_customer_id,
            "p21_customer_id": row.p21_customer_id,
            "label": 1 if row.decision == DecisionKind.LINK else 0,
            "features": json.loads(row.features or "{}"),
            "model_version": row.model_version,
            "reviewer": row.reviewer,
        }
        for row in rows
        if row.decision != DecisionKind.NEW
    ]
