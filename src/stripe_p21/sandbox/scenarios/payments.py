"""Payment primitives of the scenario: a payment intent with its charge and balance transaction
(card or ACH, at any Radar risk level), a blocked or declined attempt, and refunds — each sending
the events Stripe sends for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stripe_p21.sandbox.scenarios.money import ach_fee, as_decimal, card_fee
from stripe_p21.sandbox.scenarios.sim import DAY, StripeObj
from stripe_p21.sandbox.scenarios.world import World
from stripe_p21.sandbox.stripe import shapes_payments as shapes

CARDS = {"visa": "4242", "mastercard": "4444", "amex": "8431"}
RISK_SCORES = {"normal": 18, "elevated": 68, "highest": 91}


@dataclass(frozen=True, slots=True)
class Payment:
    """What to charge: amount in minor units, currency, who pays and why (metadata)."""

    amount: int
    currency: str
    customer: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    method: str = "card"
    risk: str = "normal"


def _ach_details() -> StripeObj:
    bank = {"account_holder_type": "company", "account_type": "checking",
            "bank_name": "STRIPE TEST BANK", "fingerprint": "sbxAchFingerprint1",
            "last4": "6789", "mandate": None, "payment_reference": None,
            "routing_number": "110000000"}  # fmt: skip
    return {"type": "us_bank_account", "us_bank_account": bank}


def _charge(world: World, pay: Payment, intent_id: str, **fields: Any) -> StripeObj:
    sim = world.sim
    if pay.method == "ach":
        details, method_id = _ach_details(), sim.new_id("pm")
    else:
        brand = sim.rng.choice(sorted(CARDS))
        details, method_id = shapes.card_details(pay.amount, brand, CARDS[brand]), sim.new_id("pm")
    return shapes.charge(
        id=sim.new_id("charge"), created=sim.now, amount=pay.amount, currency=pay.currency,
        customer=pay.customer, payment_intent=intent_id, metadata=dict(pay.metadata),
        description=pay.description, payment_method=method_id, payment_method_details=details,
        outcome=shapes.outcome(pay.risk, RISK_SCORES[pay.risk]), **fields,
    )  # fmt: skip


def _intent(world: World, pay: Payment) -> StripeObj:
    sim = world.sim
    intent_id = sim.new_id("payment_intent")
    types = ["us_bank_account"] if pay.method == "ach" else ["card"]
    intent = shapes.payment_intent(
        id=intent_id, created=sim.now, amount=pay.amount, currency=pay.currency,
        client_secret=sim.ids.secret(intent_id), customer=pay.customer,
        metadata=dict(pay.metadata), description=pay.description, payment_method_types=types,
        status="requires_confirmation",
    )  # fmt: skip
    sim.emit("payment_intent.created", intent)
    return intent


def _settle(world: World, intent: StripeObj, charge: StripeObj, method: str) -> None:
    """The money arrives: balance transaction, `charge.succeeded`, `payment_intent.succeeded`."""
    sim, amount, currency = world.sim, int(charge["amount"]), str(charge["currency"])
    fee = ach_fee(amount) if method == "ach" else card_fee(amount, currency)
    txn = shapes.balance_transaction(
        id=sim.new_id("balance_transaction"), created=sim.now, amount=amount, currency=currency,
        source=charge["id"], fee=fee, description=charge["description"],
    )  # fmt: skip
    world.ledger.add(sim, txn)
    charge.update(balance_transaction=txn["id"], status="succeeded", paid=True)
    sim.emit("charge.succeeded", charge)
    intent.update(status="succeeded", amount_received=amount, latest_charge=charge["id"])
    sim.emit("payment_intent.succeeded", intent)


def charge_now(world: World, pay: Payment) -> tuple[StripeObj, StripeObj]:
    """A card payment that succeeds now; returns (payment intent, charge)."""
    intent = _intent(world, pay)
    charge = _charge(world, pay, intent["id"])
    intent["payment_method"] = charge["payment_method"]
    _settle(world, intent, charge, "card")
    return intent, charge


def ach_debit(world: World, pay: Payment, then: Any) -> None:
    """An ACH debit: pending now, succeeded a day later, when `then(intent, charge)` runs."""
    intent = _intent(world, pay)
    charge = _charge(world, pay, intent["id"], status="pending", paid=False)
    intent.update(status="processing", payment_method=charge["payment_method"])
    world.sim.emit("payment_intent.processing", intent)
    world.sim.emit("charge.pending", charge)

    def settle(_: Any) -> None:
        _settle(world, intent, charge, "ach")
        then(intent, charge)

    world.sim.later(DAY, settle)


def blocked(world: World, pay: Payment) -> StripeObj:
    """An attempt Radar blocks (highest risk) or the issuer declines: no money moves."""
    intent = _intent(world, pay)
    charge = _charge(world, pay, intent["id"], status="failed", paid=False, captured=False,
                     amount_captured=0, failure_code="card_declined",
                     failure_message="Your card was declined.")  # fmt: skip
    is_blocked = pay.risk == "highest"
    charge["outcome"].update(
        type="blocked" if is_blocked else "issuer_declined",
        reason="highest_risk_level" if is_blocked else "generic_decline",
        network_status="not_sent_to_network" if is_blocked else "declined_by_network",
        seller_message="Stripe blocked this payment as too risky."
        if is_blocked
        else "The bank did not return any further details.",
    )
    world.sim.emit("charge.failed", charge)
    error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
    intent.update(status="requires_payment_method", last_payment_error=error)
    world.sim.emit("payment_intent.payment_failed", intent)
    return charge


def refund(world: World, charge: StripeObj, amount: int, reason: str | None = None) -> StripeObj:
    """Refund `amount` of `charge` now: refund, its balance transaction, `refund.created` and
    `charge.refunded`; a credit memo is expected when the charge has a P21 document."""
    sim, currency = world.sim, str(charge["currency"])
    ref = shapes.refund(
        id=sim.new_id("refund"), created=sim.now, amount=amount, currency=currency,
        charge=charge["id"], payment_intent=charge["payment_intent"], reason=reason,
        customer=charge["customer"], payment_method=charge["payment_method"],
    )  # fmt: skip
    txn = shapes.balance_transaction(
        id=sim.new_id("balance_transaction"), created=sim.now, amount=-amount, currency=currency,
        source=ref["id"], type="refund", description="REFUND FOR CHARGE",
    )  # fmt: skip
    world.ledger.add(sim, txn)
    ref["balance_transaction"] = txn["id"]
    sim.emit("refund.created", ref)
    refunded = int(charge["amount_refunded"]) + amount
    charge["refunds"] = dict(charge["refunds"], data=[ref, *charge["refunds"]["data"]][:10])
    sim.update("charge.refunded", charge, amount_refunded=refunded,
               refunded=refunded >= int(charge["amount"]))  # fmt: skip
    if charge["id"] in world.truth.documented:
        world.truth.credit_memo(_credit_memo(ref, charge))
    return ref


def _credit_memo(ref: StripeObj, charge: StripeObj) -> dict[str, Any]:
    currency = str(ref["currency"])
    full = int(ref["amount"]) == int(charge["amount"])
    return {
        "stripe_refund_id": ref["id"], "stripe_charge_id": charge["id"],
        "kind": "full" if full else "partial", "reason": ref["reason"], "currency": currency,
        "amount": as_decimal(int(ref["amount"]), currency), "amount_minor": int(ref["amount"]),
    }  # fmt: skip
