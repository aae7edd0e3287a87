"""Subscription stories: a monthly service plan whose invoices are paid, fail, start with a free
trial, or end when the subscription is cancelled — with the order P21 should hold per paid one."""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.scenarios.customers import ScenarioCustomer
from stripe_p21.sandbox.scenarios.money import as_decimal
from stripe_p21.sandbox.scenarios.payments import Payment, blocked, charge_now
from stripe_p21.sandbox.scenarios.sim import DAY, StripeObj
from stripe_p21.sandbox.scenarios.world import World
from stripe_p21.sandbox.stripe import shapes_billing

PLAN_AMOUNT = 49_900
PLAN_NAME = "Vendor-managed inventory service (monthly)"
MONTH = 30 * DAY


def _item(world: World, subscription_id: str) -> StripeObj:
    sim = world.sim
    price = {"id": sim.new_id("price"), "object": "price", "active": True, "currency": "usd",
             "nickname": PLAN_NAME, "product": "prod_sbxVmiService", "type": "recurring",
             "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
             "unit_amount": PLAN_AMOUNT, "livemode": False, "metadata": {}}  # fmt: skip
    return {"id": sim.new_id("si"), "object": "subscription_item", "created": sim.now,
            "metadata": {}, "price": price, "quantity": 1, "subscription": subscription_id,
            "current_period_start": sim.now, "current_period_end": sim.now + MONTH}  # fmt: skip


def _subscription(world: World, customer: ScenarioCustomer, status: str) -> StripeObj:
    sim = world.sim
    sub_id = sim.new_id("subscription")
    sub = shapes_billing.subscription(
        id=sub_id, created=sim.now, customer=customer.stripe_id, currency="usd",
        items=[_item(world, sub_id)], status=status, description=PLAN_NAME,
    )  # fmt: skip
    if status == "trialing":
        sub.update(trial_start=sim.now, trial_end=sim.now + 14 * DAY)
    sim.emit("customer.subscription.created", sub)
    return sub


def _invoice(world: World, sub: StripeObj, amount: int) -> StripeObj:
    sim = world.sim
    inv_id = sim.new_id("invoice")
    line = shapes_billing.invoice_line(
        id=sim.new_id("il"), invoice=inv_id, amount=amount, currency="usd",
        period=(sim.now, sim.now + MONTH), description=PLAN_NAME, subscription=sub["id"],
    )  # fmt: skip
    inv = shapes_billing.invoice(
        id=inv_id, created=sim.now, customer=sub["customer"], currency="usd", lines=[line],
        billing_reason="subscription_create", subscription=sub["id"],
        period_start=sim.now, period_end=sim.now + MONTH,
    )  # fmt: skip
    sim.emit("invoice.created", inv)
    sim.emit("invoice.finalized", inv)
    sub["latest_invoice"] = inv_id
    return inv


def _mark_paid(world: World, inv: StripeObj) -> None:
    sim = world.sim
    transitions = dict(inv["status_transitions"], paid_at=sim.now)
    sim.update("invoice.paid", inv, status="paid", amount_paid=inv["amount_due"],
               amount_remaining=0, attempted=True, attempt_count=1,
               status_transitions=transitions)  # fmt: skip
    sim.emit("invoice.payment_succeeded", inv)


def subscribe(world: World, outcome: str) -> None:
    """A new subscription whose first invoice is `paid`, `failed`, `trialing` (free) or paid and
    then `cancelled` a few days later."""
    sim, customer = world.sim, world.customer()
    status = "trialing" if outcome == "trialing" else "active"
    sub = _subscription(world, customer, status)
    inv = _invoice(world, sub, 0 if outcome == "trialing" else PLAN_AMOUNT)
    if outcome == "trialing":
        _mark_paid(world, inv)
        return
    pay = Payment(PLAN_AMOUNT, "usd", customer.stripe_id, {"stripe_invoice": inv["id"]},
                  f"Subscription invoice {inv['number']}")  # fmt: skip
    if outcome == "failed":
        blocked(world, pay)
        sim.update("invoice.payment_failed", inv, attempted=True, attempt_count=1)
        sim.update("customer.subscription.updated", sub, status="past_due")
        world.truth.exception("billing", "invoice_payment_failed", inv["id"],
                              stripe_subscription_id=sub["id"])  # fmt: skip
        return
    intent, charge = charge_now(world, pay)
    _mark_paid(world, inv)
    _record(world, customer, inv, intent, charge)
    if outcome == "cancelled":
        sim.later(3 * DAY, lambda _: _cancel(world, sub))


def _record(
    world: World, customer: ScenarioCustomer, inv: StripeObj, intent: StripeObj, charge: StripeObj
) -> None:
    p21: Any = customer.p21_customer_id if customer.p21_customer_id is not None else "new"
    world.truth.order({
        "stripe_charge_id": charge["id"], "stripe_payment_intent_id": intent["id"],
        "stripe_invoice_id": inv["id"], "source": "subscription", "p21_customer_id": p21,
        "currency": "usd", "amount": as_decimal(PLAN_AMOUNT, "usd"), "amount_minor": PLAN_AMOUNT,
        "payment_method": "card", "status": "open",
        "service_period": {"start": inv["period_start"], "end": inv["period_end"]},
        "lines": [{"item_id": None, "description": PLAN_NAME, "quantity": 1,
                   "unit_price": as_decimal(PLAN_AMOUNT, "usd")}],
    })  # fmt: skip


def _cancel(world: World, sub: StripeObj) -> None:
    sim = world.sim
    details = {"comment": None, "feedback": "too_expensive", "reason": "cancellation_requested"}
    sim.update("customer.subscription.deleted", sub, status="canceled", canceled_at=sim.now,
               ended_at=sim.now, cancellation_details=details)  # fmt: skip
