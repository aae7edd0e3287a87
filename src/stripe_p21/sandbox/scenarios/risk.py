"""Radar and dispute stories: reviews opened on elevated-risk payments and closed with each of
Stripe's reasons, early fraud warnings, and disputes that are won, lost or stay an inquiry."""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.scenarios.money import dispute_fee
from stripe_p21.sandbox.scenarios.payments import refund
from stripe_p21.sandbox.scenarios.sim import DAY, StripeObj
from stripe_p21.sandbox.scenarios.world import World
from stripe_p21.sandbox.stripe import shapes_payments, shapes_risk

CLOSED_REASONS = (
    "approved", "refunded", "refunded_as_fraud", "disputed", "redacted", "canceled",
    "payment_never_settled", "acknowledged",
)  # fmt: skip
"""Every `review.closed` reason Stripe documents."""


def open_review(world: World, charge: StripeObj, closed_reason: str) -> None:
    """Radar opens a review on `charge` now and closes it with `closed_reason` hours later."""
    sim = world.sim
    review = shapes_risk.review(
        id=sim.new_id("review"), created=sim.now, charge=charge["id"],
        payment_intent=charge["payment_intent"], billing_zip="44114", ip_address="203.0.113.77",
    )  # fmt: skip
    sim.emit("review.opened", review)
    sim.update("charge.updated", charge, review=review["id"])
    world.truth.exception("fraud", "review_opened", review["id"], stripe_charge_id=charge["id"])
    world.truth.set_order_status(charge["id"], "held")

    def close(_: Any) -> None:
        sim.update("review.closed", review, open=False, reason=closed_reason,
                   closed_reason=closed_reason)  # fmt: skip
        _after_review(world, charge, closed_reason)

    sim.later(sim.rng.randrange(2 * 3600, 9 * 3600), close)


def _after_review(world: World, charge: StripeObj, reason: str) -> None:
    truth = world.truth
    if reason == "approved":
        truth.set_order_status(charge["id"], "open")
    elif reason in ("refunded", "refunded_as_fraud"):
        why = "fraudulent" if reason == "refunded_as_fraud" else "requested_by_customer"
        refund(world, charge, int(charge["amount"]), why)
        truth.set_order_status(charge["id"], "cancelled")
    elif reason == "disputed":
        open_dispute(world, charge, "lost")
    else:
        truth.exception("fraud", f"review_closed_{reason}", charge["id"])


def early_fraud_warning(world: World, charge: StripeObj, *, refund_it: bool) -> None:
    """The card network reports fraud on `charge`; optionally refunded as fraud an hour later."""
    sim = world.sim
    warning = shapes_risk.early_fraud_warning(
        id=sim.new_id("radar.early_fraud_warning"), created=sim.now, charge=charge["id"],
        fraud_type="made_with_stolen_card", payment_intent=charge["payment_intent"],
    )  # fmt: skip
    sim.emit("radar.early_fraud_warning.created", warning)
    world.truth.exception("fraud", "early_fraud_warning", warning["id"],
                          stripe_charge_id=charge["id"])  # fmt: skip
    if not refund_it:
        return

    def act(_: Any) -> None:
        refund(world, charge, int(charge["amount"]), "fraudulent")
        sim.update("radar.early_fraud_warning.updated", warning, actionable=False)
        world.truth.set_order_status(charge["id"], "cancelled")

    sim.later(3600, act)


def _dispute_txn(world: World, dispute: StripeObj, amount: int, category: str) -> StripeObj:
    sim, currency = world.sim, str(dispute["currency"])
    fee = dispute_fee(currency) if amount < 0 else 0
    what = "withdrawal" if amount < 0 else "reversal"
    txn = shapes_payments.balance_transaction(
        id=sim.new_id("balance_transaction"), created=sim.now, amount=amount, currency=currency,
        source=dispute["id"], type="adjustment", fee=fee, reporting_category=category,
        description=f"Chargeback {what} for {dispute['charge']}",
    )  # fmt: skip
    for detail in txn["fee_details"]:
        detail["description"] = "Dispute fee"
    return world.ledger.add(sim, txn)


def open_dispute(world: World, charge: StripeObj, outcome: str) -> None:
    """A dispute on `charge`: `won` / `lost` (funds withdrawn, closed two days later, reinstated
    when won) or `inquiry` (a warning that closes without money moving)."""
    sim = world.sim
    inquiry = outcome == "inquiry"
    dispute = shapes_risk.dispute(
        id=sim.new_id("dispute"), created=sim.now, amount=int(charge["amount"]),
        currency=charge["currency"], charge=charge["id"], payment_intent=charge["payment_intent"],
        reason="general" if inquiry else "fraudulent",
        status="warning_needs_response" if inquiry else "needs_response",
    )  # fmt: skip
    sim.emit("charge.dispute.created", dispute)
    sim.update("charge.updated", charge, disputed=True)
    world.truth.exception("disputes", "inquiry" if inquiry else "dispute_needs_response",
                          dispute["id"], stripe_charge_id=charge["id"])  # fmt: skip
    world.truth.set_order_status(charge["id"], "held")  # held while the dispute is open
    if not inquiry:
        txn = _dispute_txn(world, dispute, -int(charge["amount"]), "dispute")
        sim.update("charge.dispute.funds_withdrawn", dispute, balance_transactions=[txn])
    review_status = "warning_under_review" if inquiry else "under_review"
    sim.later(DAY, lambda _: sim.update("charge.dispute.updated", dispute, status=review_status))
    sim.later(2 * DAY, lambda _: _close_dispute(world, dispute, outcome))


def _close_dispute(world: World, dispute: StripeObj, outcome: str) -> None:
    sim = world.sim
    status = "warning_closed" if outcome == "inquiry" else outcome
    sim.update("charge.dispute.closed", dispute, status=status)
    # A lost dispute cancels the order (the money is gone); won or an inquiry releases it.
    world.truth.set_order_status(dispute["charge"], "cancelled" if outcome == "lost" else "open")
    if outcome == "won":
        txn = _dispute_txn(world, dispute, int(dispute["amount"]), "dispute_reversal")
        txns = [*dispute["balance_transactions"], txn]
        sim.update("charge.dispute.funds_reinstated", dispute, balance_transactions=txns)
