"""The refund flow end to end against both sandboxes: one RMA per Stripe refund whatever the
events — duplicates, other event ids for the same refund, `charge.refunded` first, concurrent
runs — with amounts exact in USD and KWD; failed refunds create nothing; a refund arriving
before its charge syncs the charge first (the real `ensure_charge_synced`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.sync.refunds.harness import CUSTOMER_ID, ITEMS, Harness, harness


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with harness(tmp_path, monkeypatch) as running:
        yield running


def _credited(order: object) -> Decimal:
    return sum((line.extended_price for line in order.lines), Decimal(0))  # type: ignore[attr-defined]


async def test_three_partial_refunds_become_three_exact_rmas(h: Harness) -> None:
    lines = [(ITEMS[0].item_id, 5, "39.60"), (ITEMS[1].item_id, 3, "805.18"),
             (ITEMS[2].item_id, 1, "1716.69")]  # fmt: skip
    charge = h.charge(611823)
    await h.seed_order(charge, lines)
    refunds = [h.refund(charge, amount) for amount in (122365, 122365, 122364)]
    for refund in refunds:
        assert (await h.deliver("refund.created", refund)).status == "processed"
    refunded = await h.deliver("charge.refunded", charge)
    assert refunded.status == "processed"
    for refund in refunds:
        rmas = await h.rmas_for(refund["id"])
        assert len(rmas) == 1
        assert _credited(rmas[0]) == Decimal(refund["amount"]) / 100
        assert rmas[0].customer_id == CUSTOMER_ID
        link = await h.link(refund["id"], "rma")
        assert link is not None and link.p21_document_no == rmas[0].order_no
        assert (link.amount_minor, link.currency, link.status) == (refund["amount"], "usd", "open")
        assert link.mapping_version == h.mapping.version
    assert await h.review_items() == []


async def test_duplicates_and_reorders_leave_one_rma_per_refund(h: Harness) -> None:
    charge = h.charge(50000)
    await h.seed_order(charge, [(ITEMS[5].item_id, 2, "250.00")])
    first, second = h.refund(charge, 20000), h.refund(charge, 30000)
    await h.deliver("charge.refunded", charge)  # carries both refunds, before their own events
    await h.deliver("refund.created", second, event_id="evt_dup_second")
    await h.deliver("refund.created", second, event_id="evt_dup_second")  # same id again
    await h.deliver("refund.updated", first)  # another event id for the same refund
    await h.deliver("refund.created", first)
    assert [len(await h.rmas_for(r["id"])) for r in (first, second)] == [1, 1]
    assert len(await h.links("rma")) == 2


async def test_concurrent_events_for_one_refund_create_one_rma(h: Harness) -> None:
    charge = h.charge(10000)
    await h.seed_order(charge, [(ITEMS[7].item_id, 1, "100.00")])
    refund = h.refund(charge, 10000)
    rows = await asyncio.gather(
        h.deliver("refund.created", refund), h.deliver("charge.refunded", charge),
        h.deliver("refund.updated", refund),
    )  # fmt: skip
    assert len(await h.rmas_for(refund["id"])) == 1
    assert {row.status for row in rows} <= {"processed", "failed"}  # a claimed one retries


async def test_kwd_refunds_keep_three_decimals(h: Harness) -> None:
    charge = h.charge(1211710, "kwd")
    await h.seed_order(
        charge, [(ITEMS[9].item_id, 1, "510.930"), (ITEMS[10].item_id, 2, "350.390")]
    )
    parts = [h.refund(charge, 363510), h.refund(charge, 363520)]
    for part in parts:
        await h.deliver("refund.created", part)
    for part in parts:
        (rma,) = await h.rmas_for(part["id"])
        assert _credited(rma) == Decimal(part["amount"]) / 1000
        assert any(line.unit_price.as_tuple().exponent == -3 for line in rma.lines)


async def test_full_refund_returns_the_lines(h: Harness) -> None:
    charge = h.charge(151000, "jpy")
    await h.seed_order(charge, [(ITEMS[11].item_id, 2, "50000"), (ITEMS[12].item_id, 1, "51000")])
    refund = h.refund(charge, 151000)
    await h.deliver("refund.created", refund)
    (rma,) = await h.rmas_for(refund["id"])
    got = sorted((line.item_id, line.quantity, line.extended_price) for line in rma.lines)
    assert got == sorted([(ITEMS[11].item_id, Decimal(2), Decimal(100000)),
                          (ITEMS[12].item_id, Decimal(1), Decimal(51000))])  # fmt: skip


async def test_failed_refunds_create_nothing_and_late_failures_go_to_review(h: Harness) -> None:
    charge = h.charge(8000)
    await h.seed_order(charge, [(ITEMS[4].item_id, 1, "80.00")])
    failed = h.refund(charge, 3000, status="failed")
    row = await h.deliver("refund.created", failed)
    assert row.status == "processed" and "no credit memo" in (row.outcome_note or "")
    assert await h.rmas_for(failed["id"]) == []
    later = h.refund(charge, 5000)
    await h.deliver("refund.created", later)
    h.put({**later, "status": "failed"})
    await h.deliver("refund.updated", {**later, "status": "failed"})
    assert len(await h.rmas_for(later["id"])) == 1
    assert await h.review_items() == [
        ("reconciliation", "refund_failed_after_credit_memo", later["id"])
    ]


async def test_refund_of_an_undocumented_charge_creates_nothing(h: Harness) -> None:
    charge = h.charge(4000, status="failed", paid=False)
    refund = h.refund(charge, 4000)
    row = await h.deliver("refund.created", refund)
    assert row.status == "processed", row.last_error_message
    assert "no P21 document" in (row.outcome_note or "")
    assert await h.links("rma") == []


async def test_refund_before_its_charge_syncs_the_charge_first(h: Harness) -> None:
    """Uses the payments flow's real `ensure_charge_synced`."""
    item = ITEMS[20]
    metadata = {"p21_customer_id": str(CUSTOMER_ID), "line_count": "1",
                "line_1_p21_item_id": item.item_id, "line_1_qty": "2",
                "line_1_unit_price": "60.00", "ecommerce_order_id": "WEB-REFUND-FIRST"}  # fmt: skip
    charge = h.charge(12000, metadata=metadata)
    refund = h.refund(charge, 4500)
    row = await h.deliver("refund.created", refund)
    assert row.status == "processed", row.last_error_message
    order_link = await h.link(charge["id"], "order")
    assert order_link is not None
    (rma,) = await h.rmas_for(refund["id"])
    assert _credited(rma) == Decimal("45.00")
    assert (await h.order(order_link.p21_document_no)).po_no == charge["id"]
    await h.deliver("charge.succeeded", charge)  # the charge's own event, late: no second order
    assert len(await h.p21.find_orders_by_reference(charge["id"])) == 1
