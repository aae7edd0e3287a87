"""The bundled `balance.available` handler, end to end, with the watermark dropping a stale
event that arrives late."""

from __future__ import annotations

import time

from sqlalchemy import select

from stripe_p21.db.tables import StripeBalance
from tests.support.factories import balance_event
from tests.support.stack import Stack


async def _balances(stack: Stack) -> dict[str, int]:
    async with stack.services.sessions() as session:
        rows = (await session.execute(select(StripeBalance))).scalars()
        return {row.currency: row.available_minor for row in rows}


async def test_newer_balance_wins_and_late_older_one_is_skipped(stack: Stack) -> None:
    now = int(time.time())
    newer = balance_event({"usd": 245_075, "jpy": 98_000}, created=now - 10)
    older = balance_event({"usd": 120_000}, created=now - 60)
    await stack.post_event(newer)
    assert (await stack.settle(newer["id"])).status == "processed"
    await stack.post_event(older)
    stale = await stack.settle(older["id"])
    assert stale.status == "processed"
    assert stale.outcome_note == "stale: a newer balance is already mirrored"
    assert await _balances(stack) == {"usd": 245_075, "jpy": 98_000}
