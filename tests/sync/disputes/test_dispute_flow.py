"""Disputes end to end against both sandboxes: the order is held while a dispute is open and
released when it is won (or an inquiry closes), cancelled when it is lost; one `disputes` item
per dispute; the dispute's money recorded once per side as a balanced entry — memo by default
(the payout entry books it, docs/adr/0502), posted to P21's GL when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from stripe_p21.pipeline.sync import disputes as flow
from tests.sync.refunds.harness import ITEMS, NOW, Harness, harness

LINES = [(ITEMS[50].item_id, 1, "631.65")]


@pytest.fixture
async def h(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    async with harness(tmp_path, monkeypatch) as running:
        yield running


async def _state(h: Harness, order_no: str) -> str:
    order = await h.order(order_no)
    return "cancelled" if order.cancelled else ("open" if order.approved else "held")


def _txn(h: Harness, dispute: dict[str, Any], amount: int, fee: int) -> dict[str, Any]:
    currency = dispute["currency"]
    details = [{"amount": fee, "currency": currency, "type": "stripe_fee"}] if fee else []
    return {"id": h.new_id("txn"), "object": "balance_transaction", "amount": amount,
            "fee": fee, "net": amount - fee, "currency": currency, "created": NOW + 7200,
            "source": dispute["id"], "fee_details": details,
            "reporting_category": "dispute" if amount < 0 else "dispute_reversal"}  # fmt: skip


def _lines(link: Any) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = link.details["lines"]
    return lines


async def _deliver(h: Harness, event_type: str, dispute: dict[str, Any], **changes: Any) -> None:
    current = h.put({**dispute, **changes})
    dispute.update(current)
    row = await h.deliver(event_type, current)
    assert row.status == "processed", row.last_error_message


async def test_won_dispute_holds_books_and_releases(h: Harness) -> None:
    charge = h.charge(63165)
    link = await h.seed_order(charge, LINES)
    dispute = h.dispute(charge)
    await _deliver(h, "charge.dispute.created", dispute)
    assert await _state(h, link.p21_document_no) == "held"
    withdrawn = _txn(h, dispute, -63165, 1500)
    await _deliver(h, "charge.dispute.funds_withdrawn", dispute, balance_transactions=[withdrawn])
    await _deliver(h, "charge.dispute.updated", dispute, status="under_review")
    assert await _state(h, link.p21_document_no) == "held"
    back = _txn(h, dispute, 63165, 0)
    await _deliver(h, "charge.dispute.closed", dispute, status="won")
    await _deliver(h, "charge.dispute.funds_reinstated", dispute,
                   balance_transactions=[withdrawn, back])  # fmt: skip
    assert await _state(h, link.p21_document_no) == "open"
    out = await h.link(dispute["id"], "gl_dispute_withdrawn")
    back_link = await h.link(dispute["id"], "gl_dispute_reinstated")
    assert out is not None and back_link is not None
    assert (out.status, out.amount_minor, out.details["fee_minor"]) == ("memo", -63165, 1500)
    assert [(ln["account"], ln["amount"]) for ln in _lines(out)] == [
        ("6160", "631.65"), ("6170", "15.00"), ("1015", "-646.65"),
    ]  # fmt: skip
    assert [(ln["account"], ln["amount"]) for ln in _lines(back_link)] == [
        ("6160", "-631.65"), ("1015", "631.65"),
    ]  # fmt: skip
    assert h.gl_entries() == []  # memo: the payout's entry books dispute money
    assert await h.review_items() == [("disputes", "dispute_needs_response", dispute["id"])]


async def test_lost_dispute_cancels_the_order(h: Harness) -> None:
    charge = h.charge(63165)
    link = await h.seed_order(charge, LINES)
    dispute = h.dispute(charge)
    await _deliver(h, "charge.dispute.created", dispute)
    await _deliver(h, "charge.dispute.closed", dispute, status="lost")
    assert await _state(h, link.p21_document_no) == "cancelled"
    await _deliver(h, "charge.dispute.updated", dispute)  # late: nothing comes back
    assert await _state(h, link.p21_document_no) == "cancelled"


async def test_inquiry_moves_no_money_and_releases_when_closed(h: Harness) -> None:
    charge = h.charge(63165)
    link = await h.seed_order(charge, LINES)
    dispute = h.dispute(charge, status="warning_needs_response", reason="general")
    await _deliver(h, "charge.dispute.created", dispute)
    assert await _state(h, link.p21_document_no) == "held"
    await _deliver(h, "charge.dispute.closed", dispute, status="warning_closed")
    assert await _state(h, link.p21_document_no) == "open"
    assert await h.links("gl_dispute_withdrawn") == []
    assert await h.review_items() == [("disputes", "inquiry", dispute["id"])]


async def test_closed_event_before_created_converges(h: Harness) -> None:
    charge = h.charge(63165)
    link = await h.seed_order(charge, LINES)
    dispute = h.dispute(charge)
    created = dict(dispute)
    await _deliver(h, "charge.dispute.closed", dispute, status="won")
    row = await h.deliver("charge.dispute.created", created)  # the old snapshot, late
    assert row.status == "processed"
    assert await _state(h, link.p21_document_no) == "open"
    assert await h.review_items() == [("disputes", "dispute_needs_response", dispute["id"])]


async def test_review_closed_as_disputed_waits_for_the_dispute(h: Harness) -> None:
    charge = h.charge(63165)
    link = await h.seed_order(charge, LINES)
    review = h.review(charge)
    await h.deliver("review.opened", review)
    await h.deliver("review.closed", h.put({**review, "open": False, "closed_reason": "disputed"}))
    assert await _state(h, link.p21_document_no) == "held"
    dispute = h.dispute(charge)
    await _deliver(h, "charge.dispute.created", dispute)
    await _deliver(h, "charge.dispute.closed", dispute, status="won")
    assert await _state(h, link.p21_document_no) == "open"


async def test_funds_events_twice_record_one_entry_each(h: Harness) -> None:
    charge = h.charge(63165)
    await h.seed_order(charge, LINES)
    dispute = h.dispute(charge)
    withdrawn = _txn(h, dispute, -63165, 1500)
    for _ in range(2):
        await _deliver(h, "charge.dispute.funds_withdrawn", dispute,
                       balance_transactions=[withdrawn])  # fmt: skip
    assert len(await h.links("gl_dispute_withdrawn")) == 1


async def test_post_mode_posts_one_balanced_gl_entry(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flow, "dispute_gl_mode", lambda config: "post")
    charge = h.charge(63165)
    await h.seed_order(charge, LINES)
    dispute = h.dispute(charge)
    withdrawn = _txn(h, dispute, -63165, 1500)
    for _ in range(2):
        await _deliver(h, "charge.dispute.funds_withdrawn", dispute,
                       balance_transactions=[withdrawn])  # fmt: skip
    link = await h.link(dispute["id"], "gl_dispute_withdrawn")
    assert link is not None and link.status == "posted"
    rows = h.p21_app.sandbox.store.rows(
        "SELECT account_number, amount FROM gl WHERE transaction_number = ?",
        (link.p21_document_no,),
    )
    assert sorted((r["account_number"], str(r["amount"])) for r in rows) == sorted(
        [("6160", "631.65"), ("6170", "15.00"), ("1015", "-646.65")]
    )
    assert len(h.gl_entries()) == 1
