"""The whole system on both backends: after a five-day scenario (deliveries duplicated and
reordered) the bank returns one posted payout — `payout.failed` sent twice, so on PostgreSQL + arq
two workers may take them at once — and one payout still in transit. The posted one gets exactly
one reversing GL entry (balanced, the bank's transfer back to Stripe clearing), its link becomes
`reversed` and one high-priority `reconciliation` item names both entries; the one in transit gets
no GL entry at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from stripe_p21.db.tables import StripeEvent
from stripe_p21.pipeline.mapping.payout_reversal import reversal_reference
from stripe_p21.pipeline.mapping.payouts import payout_reference
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.tables import ReviewItem
from stripe_p21.sandbox.stripe.payouts import fail_payout
from tests.support.sync_stack import (
    SyncStackFactory,
    sync_stack_factory,  # noqa: F401  (fixture)
)
from tests.sync.payouts.gl_views import entries_with, net_by_account


def _mentions(state: dict[str, Any], payout_id: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in state["gl_entries"]
        if any(payout_id in str(line["Description"]) for line in entry["Lines"])
    ]


@pytest.mark.slow
async def test_failed_payouts_end_to_end(sync_stack_factory: SyncStackFactory) -> None:  # noqa: F811
    async with sync_stack_factory() as s:
        await s.play(days=5, seed=7, duplicate_rate=0.1, reorder_window=3)
        await s.settle_all(within=600)
        async with s.services.sessions() as session:
            links = list((await session.execute(select(SyncLink))).scalars())
        posted = sorted(
            (link for link in links if link.p21_kind == "gl_payout" and link.status == "open"),
            key=lambda link: link.stripe_object_id,
        )[0]
        assert s.stripe is not None
        store = s.stripe.box.store
        in_transit = next(
            p["id"]
            for p in store.list("payout", limit=100).data
            if p["status"] == "in_transit" and p["automatic"]
        )
        before = await s.p21_state()
        fail_payout(store, posted.stripe_object_id, failure_code="account_closed")
        fail_payout(store, posted.stripe_object_id)  # payout.failed again: another event id
        fail_payout(store, in_transit, failure_code="no_account")
        await s.settle_all(within=300)
        state = await s.p21_state()
        async with s.services.sessions() as session:
            failed = list(
                (
                    await session.execute(
                        select(StripeEvent).where(StripeEvent.type == "payout.failed")  # type: ignore[arg-type]
                    )
                ).scalars()
            )
            links = list((await session.execute(select(SyncLink))).scalars())
            items = list((await session.execute(select(ReviewItem))).scalars())

    assert sorted(e.status for e in failed) == ["processed"] * 3, [
        (e.status, e.last_error_message) for e in failed
    ]
    payout_id = posted.stripe_object_id
    [original] = entries_with(state["gl_entries"], payout_reference(payout_id))
    assert str(original["TransactionNumber"]) == posted.p21_document_no
    reversals = entries_with(state["gl_entries"], reversal_reference(payout_id))
    assert len(reversals) == 1, [e["TransactionNumber"] for e in reversals]
    [reversal] = reversals
    assert sum(net_by_account(reversal).values(), Decimal(0)) == 0
    # Only the transfer is undone: bank back to clearing; fees and the rest stay booked.
    transferred = net_by_account(original)["1010"]
    assert net_by_account(reversal) == {"1010": -transferred, "1015": transferred}
    assert transferred > 0
    assert len(state["gl_entries"]) == len(before["gl_entries"]) + 1
    assert _mentions(state, in_transit) == []

    by_key = {(link.stripe_object_id, link.p21_kind): link for link in links}
    assert by_key[payout_id, "gl_payout"].status == "reversed"
    assert by_key[payout_id, "gl_payout_reversal"].p21_document_no == str(
        reversal["TransactionNumber"]
    )
    assert by_key[in_transit, "gl_payout_reversal"].status == "not_posted"
    assert (in_transit, "gl_payout") not in by_key
    [item] = [i for i in items if i.reason == "payout_failed"]
    assert (item.queue, item.priority, item.stripe_object_id) == ("reconciliation", 2, payout_id)
    assert item.links["p21"] == {
        "gl": posted.p21_document_no,
        "gl_reversal": str(reversal["TransactionNumber"]),
    }
