"""Our side of the check, read in one session: sync links, reconciliation runs with their lines,
review items and the inbox's statuses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import StripeEvent
from stripe_p21.pipeline.tables import ReconciliationLine, ReconciliationRun, SyncLink
from stripe_p21.review.tables import ReviewItem


@dataclass(slots=True)
class OurState:
    links: list[SyncLink] = field(default_factory=list)
    runs: list[ReconciliationRun] = field(default_factory=list)
    lines: dict[int, list[ReconciliationLine]] = field(default_factory=dict)
    review_items: list[ReviewItem] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)

    def link(self, stripe_object_id: str, kind: str) -> SyncLink | None:
        for link in self.links:
            if link.stripe_object_id == stripe_object_id and link.p21_kind == kind:
                return link
        return None

    def links_of(self, *kinds: str) -> list[SyncLink]:
        return [link for link in self.links if link.p21_kind in kinds]

    def run(self, payout_id: str) -> ReconciliationRun | None:
        return next((run for run in self.runs if run.payout_id == payout_id), None)


async def load(sessions: async_sessionmaker[AsyncSession]) -> OurState:
    async with sessions() as session:
        state = OurState()
        state.links = list((await session.execute(select(SyncLink))).scalars())
        state.runs = list((await session.execute(select(ReconciliationRun))).scalars())
        for line in (await session.execute(select(ReconciliationLine))).scalars():
            state.lines.setdefault(line.run_id, []).append(line)
        state.review_items = list((await session.execute(select(ReviewItem))).scalars())
        status: Any = StripeEvent.status
        rows = (await session.execute(select(status, func.count()).group_by(status))).all()
        state.events = Counter({str(s): int(n) for s, n in rows})
        return state
