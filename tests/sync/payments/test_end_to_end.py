"""Order-to-cash, customers and billing end to end: a scenario delivered to the service with
duplicates and reordering (and P21 committing writes whose answers are lost) leaves exactly the
truth's orders, order payments, customer links and the review items of these flows — on SQLite +
inline runner and PostgreSQL + arq."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import structlog
from sqlalchemy import select

from stripe_p21.db.tables import StripeEvent
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.sync.payments import ensure_charge_synced
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.sync_check.result import CheckResult, Difference
from tests.support.sync_stack import SyncStack, SyncStackFactory

MY_QUEUES = {"mapping", "billing", "customer_match", "sync"}


def _mine(diff: Difference, subscription_charges: set[str]) -> bool:
    """Differences these flows answer for (refund, payout and Radar flows check their own:
    an order's held/cancelled status is the Radar flow's)."""
    if diff.area in ("orders", "payments", "customers"):
        if diff.kind == "status":
            return False
        # The truth leaves a subscription line's item open (`item_id: null`).
        return not (diff.kind == "lines" and diff.subject in subscription_charges)
    if diff.area == "review_items":
        label = str(diff.expected or diff.actual)
        return label.split("/")[0] in MY_QUEUES or label == "fraud/elevated_risk"
    return False


def _split(result: CheckResult, subscription_charges: set[str]) -> tuple[list[str], set[str]]:
    """(differences of these flows, charges paying P21 invoices that P21 shows no row for —
    the known gap: no invoice-payment surface in the connector yet)."""
    mine = [d for d in result.differences if _mine(d, subscription_charges)]
    gap = {d.subject for d in mine if d.area == "payments" and "(invoice" in d.line()}
    return [d.line() for d in mine if d.subject not in gap], gap


async def _links(s: SyncStack) -> dict[tuple[str, str], SyncLink]:
    async with s.services.sessions() as session:
        rows = (await session.execute(select(SyncLink))).scalars()
        return {(row.stripe_object_id, row.p21_kind): row for row in rows}


async def _played(s: SyncStack, **chaos: float) -> tuple[list[str], set[str]]:
    scenario = await s.play(days=3, seed=7, **chaos)  # type: ignore[arg-type]
    statuses = await s.settle_all(within=240)
    assert sum(statuses.values()) >= scenario.event_count  # plus our write-back updates
    subscription = {
        str(o["stripe_charge_id"]) for o in scenario.truth.orders
        if o.get("source") == "subscription"
    }  # fmt: skip
    result = await s.check()
    assert result.checked["orders"] == len(scenario.truth.orders) > 10
    differences, gap = _split(result, subscription)
    invoice_payments = {
        str(p["stripe_charge_id"]) for p in scenario.truth.payments if "p21_invoice_no" in p
    }
    assert gap <= invoice_payments
    links = await _links(s)
    assert all((charge, "payment") in links for charge in invoice_payments)
    state = await s.p21_state()
    po_numbers = Counter(str(o.get("PoNo")) for o in state["orders"])
    assert all(n == 1 for po, n in po_numbers.items() if po.startswith("ch_"))
    return differences, gap


async def test_scenario_with_chaos_matches_the_truth(sync_stack_factory: SyncStackFactory) -> None:
    async with sync_stack_factory() as s:
        differences, _ = await _played(s, duplicate_rate=0.25, reorder_window=4)
        assert differences == []
        await _ensure_again_changes_nothing(s)


async def test_lost_p21_answers_never_duplicate(sync_stack_factory: SyncStackFactory) -> None:
    async with sync_stack_factory() as s:
        await s.p21_faults(drop_rate=0.15)
        differences, _ = await _played(s, duplicate_rate=0.1, reorder_window=3)
        faults = (await s.p21_state()).get("faults") or {}
        assert differences == [], faults


async def _ensure_again_changes_nothing(s: SyncStack) -> None:
    """`ensure_charge_synced` (what the refund flow calls) returns the same link, writes nothing."""
    before = await _links(s)
    orders_before = len((await s.p21_state())["orders"])
    charge_id = next(k[0] for k, link in before.items() if k[1] == "order")
    now = datetime.now(UTC)
    event = StripeEvent(id="evt_ensure_test", type="refund.created", created=now, payload="{}",
                        received_at=now)  # fmt: skip
    gateways = s.services.gateways
    ctx = HandlerContext(event, {}, s.services.sessions, s.settings,
                         structlog.get_logger("test"), gateways)  # fmt: skip
    first = await ensure_charge_synced(ctx, charge_id)
    second = await ensure_charge_synced(ctx, charge_id)
    assert first is not None and second is not None and first.id == second.id
    assert (await _links(s)).keys() == before.keys()
    assert len((await s.p21_state())["orders"]) == orders_before
