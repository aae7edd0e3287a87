"""Guards of the payout flow with stand-in gateways: nothing is posted for a payout that is not
paid and reconciled yet, and a post whose answer was lost is looked up by reference in P21 —
found, it is reused; not found, the event retries — never posted a second time blind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from stripe_p21.connectors.p21.errors import P21OutcomeUnknown
from stripe_p21.connectors.p21.schemas import JournalEntry, Period, PostedJournal
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.tables import ReviewItem
from tests.sync.payouts.conftest import Flow
from tests.sync.payouts.scenario_payouts import one


class FakeStripe:
    def __init__(self, payout: dict[str, Any], listed: list[dict[str, Any]]) -> None:
        self.payout, self.listed = payout, listed

    async def retrieve_payout(self, payout_id: str, **_: Any) -> dict[str, Any]:
        return dict(self.payout)

    async def payout_balance_transactions(self, payout_id: str) -> AsyncIterator[dict[str, Any]]:
        for txn in self.listed:
            yield txn


class LostAnswers:
    """A P21 whose GL posts are committed but never answered; the lookup by reference sees
    them only once `visible` (P21's OData lags the write in real installs)."""

    def __init__(self, periods: list[Period]) -> None:
        self.periods, self.posts, self.lookups = periods, 0, 0
        self.visible = False
        self.references: list[str] = []

    async def list_open_periods(self, year: int | None = None) -> list[Period]:
        return self.periods

    async def post_journal_entry(self, entry: JournalEntry) -> PostedJournal:
        self.posts += 1
        self.references.append(entry.lines[0].description)
        raise P21OutcomeUnknown("read timeout after send")

    async def find_journal_by_reference(self, reference: str) -> str | None:
        self.lookups += 1
        found = self.visible and any(d.startswith(reference) for d in self.references)
        return "GL-777" if found else None


def _with(flow: Flow, **gateways: Any) -> Flow:
    built = Gateways(flow.deps.settings, mapping=flow.mapping, **gateways)
    return replace(flow, deps=replace(flow.deps, gateways=built))


async def test_nothing_is_posted_before_the_payout_is_reconciled(flow: Flow) -> None:
    payout = one("kwd")
    raw = payout.raw | {"status": "in_transit", "reconciliation_status": "in_progress"}
    fake = _with(flow, stripe=FakeStripe(raw, payout.listed), p21=flow.p21)
    event = await fake.run(await fake.store("payout.paid", raw))
    assert event.status == "processed"
    assert "waiting" in (event.outcome_note or "")
    assert flow.gl_entries() == []


async def test_a_lost_answer_is_looked_up_and_reused_never_posted_twice(flow: Flow) -> None:
    payout = one("jpy")
    periods = await flow.p21.list_open_periods()
    p21 = LostAnswers(periods)
    fake = _with(flow, stripe=FakeStripe(payout.raw, payout.listed), p21=p21)
    event_id = await fake.store("payout.reconciliation_completed", payout.raw)
    first = await fake.run(event_id)
    assert first.status == "failed"  # posted, answer lost, not visible yet: retry later
    assert (p21.posts, p21.lookups) == (1, 1)
    p21.visible = True
    await fake.make_due(event_id)
    await fake.run(event_id)  # (it then waits for the payout's charges to sync: not here)
    assert p21.posts == 1  # the retry looked first and found the entry
    async with flow.sessions() as session:
        items = list((await session.execute(select(ReviewItem))).scalars())
        links = list((await session.execute(select(SyncLink))).scalars())
    assert [(i.queue, i.reason) for i in items if i.queue == "sync"] == []
    assert [(link.p21_kind, link.p21_document_no) for link in links] == [("gl_payout", "GL-777")]
