"""The matching hook the customer sync flow calls: `build_matcher(...)` once, then
`await matcher.match(stripe_customer)` per Stripe customer → link / review / new.

Order of evidence: a reviewer's decision on this Stripe customer (never asked twice), a
`p21_customer_id` already in the Stripe metadata, then the calibrated model over the index.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.intelligence.matching.decisions import DecisionKind, decisions_for
from stripe_p21.intelligence.matching.index import CustomerIndexStore, RefreshResult
from stripe_p21.intelligence.matching.matcher import Candidate, Matcher
from stripe_p21.intelligence.matching.model import MatchModel
from stripe_p21.intelligence.matching.records import from_stripe, prepare, stripe_p21_hint

REFRESH_SECONDS = 300.0
"""How old the index may get before a match first pulls P21's recent changes."""


@dataclass(frozen=True)
class MatchOutcome:
    """What to do with one Stripe customer, and why."""

    decision: Literal["link", "review", "new"]
    p21_customer_id: int | None
    """The linked (or, for review, the most likely) P21 customer."""
    probability: float
    candidates: list[Candidate]
    model_version: str
    reason: str = "model"
    """`model`, `reviewer_decision`, `metadata`, `dba_name`, `ambiguous` or `no_candidate`."""
    evidence: dict[str, Any] = field(default_factory=dict)


class CustomerMatcher:
    """Matches Stripe customers against the locally stored P21 index."""

    def __init__(
        self,
        model: MatchModel,
        sessions: async_sessionmaker[AsyncSession],
        gateway: P21Gateway | None,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self.model = model
        self.sessions = sessions
        self.gateway = gateway
        self.store = CustomerIndexStore(sessions)
        self.refresh_seconds = refresh_seconds
        self._engine: Matcher | None = None
        self._refreshed_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self) -> RefreshResult | None:
        """Pull P21 changes into the stored index and rebuild the in-memory engine."""
        async with self._lock:
            result = await self.store.refresh(self.gateway) if self.gateway else None
            self._engine = Matcher(self.model, await self.store.records())
            self._refreshed_at = time.monotonic()
            return result

    async def warm(self) -> None:
        """Score one pair the index is sure to block together (a copy of one of its own
        records), so the first real customer does not pay for scikit-learn's first call."""
        engine = await self.engine()
        if engine.records:
            sample = replace(engine.records[0], key="warm-up")
            await asyncio.to_thread(engine.rank, sample, 1)

    async def engine(self) -> Matcher:
        stale = time.monotonic() - self._refreshed_at > self.refresh_seconds
        if self._engine is None or (stale and self.gateway is not None):
            await self.refresh()
        assert self._engine is not None  # noqa: S101 - refresh() always builds it
        return self._engine

    async def match(self, stripe_customer: dict[str, Any]) -> MatchOutcome:
        """Link, review or new for a Stripe Customer object (dict)."""
        version = self.model.version
        stripe_id = str(stripe_customer.get("id") or "")
        decided = await decisions_for(self.sessions, stripe_id) if stripe_id else []
        for past in decided:
            if past.decision is DecisionKind.LINK:
                return MatchOutcome("link", past.p21_customer_id, 1.0, [], version,
                                    "reviewer_decision")  # fmt: skip
            if past.decision is DecisionKind.NEW:
                return MatchOutcome("new", None, 0.0, [], version, "reviewer_decision")
        rejected = {str(d.p21_customer_id) for d in decided if d.decision is DecisionKind.REJECT}
        engine = await self.engine()
        hint = stripe_p21_hint(stripe_customer)
        if hint is not None and str(hint) not in rejected and engine.has(str(hint)):
            return MatchOutcome("link", hint, 1.0, [], version, "metadata")
        record = from_stripe(stripe_customer)
        ranked = await asyncio.to_thread(engine.rank, record, 6)
        candidates = [c for c in ranked if c.key not in rejected][:5]
        return self._outcome(engine, candidates, trade_name=prepare(record).trade_name)

    def _outcome(
        self, engine: Matcher, candidates: list[Candidate], *, trade_name: bool
    ) -> MatchOutcome:
        version = self.model.version
        if not candidates:
            return MatchOutcome("new", None, 0.0, [], version, "no_candidate")
        top = candidates[0]
        decision = engine.decide(candidates, trade_name=trade_name)
        reason = "model"
        if decision == "review":
            strong = top.probability >= self.model.thresholds.link
            reason = ("dba_name" if trade_name else "ambiguous") if strong else "model"
        p21_id = int(top.key) if decision != "new" else None
        return MatchOutcome(
            decision, p21_id, top.probability, candidates, version, reason, top.evidence
        )


def build_matcher(
    settings: Any,
    sessions: async_sessionmaker[AsyncSession],
    p21_gateway: P21Gateway | None,
    *,
    model: MatchModel | None = None,
) -> CustomerMatcher:
    """The matcher the sync flow and the API use. `settings` is the service `Settings`."""
    del settings  # the shipped artifact and its thresholds carry the configuration today
    return CustomerMatcher(model or MatchModel.load(), sessions, p21_gateway)
