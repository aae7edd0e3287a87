"""Test doubles shared by the payout guard tests: a Stripe that answers one payout, and a P21
that commits GL posts without ever answering them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from stripe_p21.connectors.p21 import P21OutcomeUnknown
from stripe_p21.connectors.p21.schemas import JournalEntry, Period, PostedJournal


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

    def __init__(self, periods: list[Period], number: str = "GL-900") -> None:
        self.periods, self.posts, self.lookups, self.number = periods, 0, 0, number
        self.visible = False
        self.entries: list[JournalEntry] = []

    async def list_open_periods(self, year: int | None = None) -> list[Period]:
        return self.periods

    async def post_journal_entry(self, entry: JournalEntry) -> PostedJournal:
        self.posts += 1
        self.entries.append(entry)
        raise P21OutcomeUnknown("read timeout after send")

    async def find_journal_by_reference(self, reference: str) -> str | None:
        self.lookups += 1
        found = self.visible and any(
            line.description.startswith(reference) for e in self.entries for line in e.lines
        )
        return self.number if found else None
