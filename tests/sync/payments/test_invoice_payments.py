"""Payments of existing P21 invoices end to end: each charge naming `p21_invoice_no` leaves exactly
one remittance row on the order P21 invoiced (`invoice_hdr.order_no`), with the charge id as
`PaymentDesc` and the invoice's open balance, however often and in whatever order its events
arrive and even when P21 commits a write but its answer is lost (the flow reads the order before
adding, and again after an unknown outcome); syncing the charge again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import structlog

from stripe_p21.db.tables import StripeEvent
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.sync.payments import sync_charge
from stripe_p21.sandbox.p21.seed import generate
from tests.support.sync_stack import SyncStack, SyncStackFactory


def _rows(state: dict[str, object], charge: str) -> list[dict[str, object]]:
    payments = state["payments"]
    assert isinstance(payments, list)
    return [p for p in payments if p["PaymentDesc"] == charge]


async def _sync_again(s: SyncStack, charge_id: str) -> None:
    now = datetime.now(UTC)
    event = StripeEvent(id="evt_invoice_again", type="charge.succeeded", created=now,
                        payload="{}", received_at=now)  # fmt: skip
    ctx = HandlerContext(event, {}, s.services.sessions, s.settings,
                         structlog.get_logger("test"), s.services.gateways)  # fmt: skip
    charge = await ctx.stripe.retrieve_charge(charge_id)
    await sync_charge(ctx, charge)


async def test_invoice_payments_are_one_remittance_on_the_invoiced_order(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        await s.p21_faults(drop_rate=0.15)
        scenario = await s.play(days=3, seed=7, duplicate_rate=0.3, reorder_window=4)
        await s.settle_all(within=240)
        paid = [p for p in scenario.truth.payments if p.get("p21_invoice_no")]
        assert paid, "the scenario pays seeded invoices"
        order_of = generate(scenario.spec.p21_seed).invoice_order_nos()
        state = await s.p21_state()
        for doc in paid:
            [row] = _rows(state, str(doc["stripe_charge_id"]))
            assert row["OrderNo"] == order_of[str(doc["p21_invoice_no"])]
            assert Decimal(str(row["PaymentAmount"])) == Decimal(str(doc["amount"]))
        result = await s.check()
        assert [d.line() for d in result.differences if d.area == "payments"] == []
        assert result.checked["payments"] == len(scenario.truth.payments)
        # Subscription lines leave the item open in the truth (`item_id: null`): only quantity
        # and price are compared, so the service item P21 got is no difference.
        assert [d.line() for d in result.differences if d.kind == "lines"] == []

        charge_id = str(paid[0]["stripe_charge_id"])
        await _sync_again(s, charge_id)
        assert len(_rows(await s.p21_state(), charge_id)) == 1
