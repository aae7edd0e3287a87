"""Radar end to end against both sandboxes: a review holds the charge's P21 order and raises
`fraud/review_opened`; its close releases, cancels or keeps the hold with a
`review_closed_<reason>` item; events late, twice or reversed converge; early fraud warnings
raise their item and cancel the order once refunded as fraud."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stripe_p21.connectors.p21.errors import P21RejectedError
from tests.sync.refunds.harness import ITEMS, Harness, harness

LINES = [(ITEMS[30].item_id, 2, "120.00")]


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with harness(tmp_path, monkeypatch) as running:
        yield running


async def _state(h: Harness, order_no: str) -> str:
    order = await h.order(order_no)
    return "cancelled" if order.cancelled else ("open" if order.approved else "held")


async def _close(h: Harness, review: dict[str, object], reason: str) -> dict[str, object]:
    closed = h.put({**review, "open": False, "closed_reason": reason, "reason": reason})
    row = await h.deliver("review.closed", closed)
    assert row.status == "processed", row.last_error_message
    return closed


async def test_review_holds_then_approval_releases(h: Harness) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    row = await h.deliver("review.opened", review)
    assert row.status == "processed", row.last_error_message
    assert await _state(h, link.p21_document_no) == "held"
    assert (await h.link(charge["id"], "order")).status == "held"  # type: ignore[union-attr]
    await _close(h, review, "approved")
    assert await _state(h, link.p21_document_no) == "open"
    assert (await h.link(charge["id"], "order")).status == "released"  # type: ignore[union-attr]
    assert await h.review_items() == [("fraud", "review_opened", review["id"])]


@pytest.mark.parametrize("reason", ["refunded", "refunded_as_fraud"])
async def test_refunded_reviews_cancel_the_order(h: Harness, reason: str) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    await h.deliver("review.opened", review)
    refund = h.refund(charge, 24000, reason="fraudulent")
    await _close(h, review, reason)
    await h.deliver("refund.created", refund)
    assert await _state(h, link.p21_document_no) == "cancelled"
    assert len(await h.rmas_for(refund["id"])) == 1  # the refund still gets its credit memo
    await h.deliver("review.opened", review)  # a late redelivery cannot resurrect the order
    assert await _state(h, link.p21_document_no) == "cancelled"


@pytest.mark.parametrize("reason", ["redacted", "canceled", "payment_never_settled",
                                    "acknowledged", "a_reason_stripe_adds_later"])  # fmt: skip
async def test_undecided_closes_keep_the_hold_and_ask_a_person(h: Harness, reason: str) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    await h.deliver("review.opened", review)
    await _close(h, review, reason)
    assert await _state(h, link.p21_document_no) == "held"
    assert await h.review_items() == sorted([
        ("fraud", "review_opened", review["id"]),
        ("fraud", f"review_closed_{reason}", charge["id"]),
    ])  # fmt: skip


async def test_close_before_open_still_raises_the_opened_item_without_holding(h: Harness) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    closed = await _close(h, review, "approved")
    await h.deliver("review.opened", review)  # the older event arrives last
    assert await _state(h, link.p21_document_no) == "open"
    assert await h.review_items() == [("fraud", "review_opened", closed["id"])]


async def test_duplicate_opened_events_hold_once_and_raise_one_item(h: Harness) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    for event_id in ("evt_open_a", "evt_open_a", "evt_open_b"):
        await h.deliver("review.opened", review, event_id=event_id)
    assert await _state(h, link.p21_document_no) == "held"
    assert await h.review_items() == [("fraud", "review_opened", review["id"])]


async def test_review_before_its_charge_syncs_the_charge_and_holds_it(h: Harness) -> None:
    item = ITEMS[40]
    metadata = {"line_count": "1", "line_1_p21_item_id": item.item_id, "line_1_qty": "1",
                "line_1_unit_price": "99.00", "p21_customer_id": "100034"}  # fmt: skip
    charge = h.charge(9900, metadata=metadata)
    review = h.review(charge)
    row = await h.deliver("review.opened", review)
    assert row.status == "processed", row.last_error_message
    link = await h.link(charge["id"], "order")
    assert link is not None
    assert await _state(h, link.p21_document_no) == "held"


async def test_early_fraud_warning_item_and_cancel_when_refunded(h: Harness) -> None:
    charge = h.charge(30000)
    link = await h.seed_order(charge, [(ITEMS[31].item_id, 1, "300.00")])
    warning = h.warning(charge)
    await h.deliver("radar.early_fraud_warning.created", warning)
    assert await _state(h, link.p21_document_no) == "open"
    refund = h.refund(charge, 30000, reason="fraudulent")
    settled = h.put({**warning, "actionable": False})
    await h.deliver("radar.early_fraud_warning.updated", settled)
    await h.deliver("refund.created", refund)
    assert await _state(h, link.p21_document_no) == "cancelled"
    assert (await h.link(charge["id"], "order")).status == "cancelled"  # type: ignore[union-attr]
    assert await h.review_items() == [("fraud", "early_fraud_warning", warning["id"])]


async def test_actionable_warning_leaves_the_order_open(h: Harness) -> None:
    charge = h.charge(30000)
    link = await h.seed_order(charge, [(ITEMS[31].item_id, 1, "300.00")])
    warning = h.warning(charge)
    await h.deliver("radar.early_fraud_warning.created", warning)
    await h.deliver("radar.early_fraud_warning.updated", warning)
    assert await _state(h, link.p21_document_no) == "open"
    assert await h.review_items() == [("fraud", "early_fraud_warning", warning["id"])]


async def _refuse_cancel(order_no: str) -> None:
    raise P21RejectedError("Transaction 1:: Order has been invoiced and cannot be cancelled")


async def test_refunded_order_p21_cannot_cancel_is_credited(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    charge = h.charge(24000)
    link = await h.seed_order(charge, LINES)
    monkeypatch.setattr(h.p21, "cancel_order", _refuse_cancel)
    review = h.review(charge)
    await h.deliver("review.opened", review)
    refund = h.refund(charge, 24000, reason="fraudulent")
    await h.deliver("refund.created", refund)
    await _close(h, review, "refunded_as_fraud")
    assert (await h.link(charge["id"], "order")).status == "credited"  # type: ignore[union-attr]
    assert await _state(h, link.p21_document_no) == "held"
    assert await h.review_items() == [("fraud", "review_opened", review["id"])]


async def test_order_p21_cannot_cancel_without_credit_goes_to_a_person(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    charge = h.charge(24000)
    await h.seed_order(charge, LINES)
    monkeypatch.setattr(h.p21, "cancel_order", _refuse_cancel)
    dispute = h.put({**h.dispute(charge), "status": "lost"})
    row = await h.deliver("charge.dispute.closed", dispute)
    assert row.status == "processed", row.last_error_message
    assert (await h.link(charge["id"], "order")).status == "open"  # type: ignore[union-attr]
    assert ("disputes", "order_not_cancellable", charge["id"]) in await h.review_items()


async def test_fraud_item_stands_when_the_charge_cannot_sync_yet(h: Harness) -> None:
    charge = h.charge(9900, metadata={"line_count": "1", "line_1_p21_item_id": ITEMS[41].item_id})
    review = h.review(charge)
    row = await h.deliver("review.opened", review)
    assert row.status == "needs_review"  # the charge names no customer: a person links one
    items = await h.review_items()
    assert ("fraud", "review_opened", review["id"]) in items
    assert any(queue == "customer_match" for queue, _, _ in items)
