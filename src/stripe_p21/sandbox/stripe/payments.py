"""Payment intents and charges: create, confirm, and Stripe's test cards and their outcomes.

A successful payment makes a charge, its balance transaction (with fees) and Stripe's events.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from stripe_p21.sandbox.stripe import shapes_payments as shapes
from stripe_p21.sandbox.stripe.currency import amount_problem
from stripe_p21.sandbox.stripe.forms import as_bool, as_int, as_list
from stripe_p21.sandbox.stripe.mutations import OpContext, check_params, merge_metadata
from stripe_p21.sandbox.stripe.store import StripeObj
from stripe_p21.sandbox.stripe.wire import ApiError, invalid, missing


@dataclass(frozen=True, slots=True)
class SandboxCard:
    """How a Stripe test payment method behaves."""

    brand: str = "visa"
    last4: str = "4242"
    risk_level: str = "normal"
    risk_score: int = 20
    declined: bool = False


TEST_CARDS: dict[str, SandboxCard] = {
    "pm_card_visa": SandboxCard(),
    "pm_card_mastercard": SandboxCard("mastercard", "4444"),
    "pm_card_amex": SandboxCard("amex", "8431"),
    "pm_card_riskLevelElevated": SandboxCard(last4="9235", risk_level="elevated", risk_score=68),
    "pm_card_riskLevelHighest": SandboxCard(last4="4954", risk_level="highest", risk_score=92),
    "pm_card_chargeDeclined": SandboxCard(last4="0002", declined=True),
}
"""Test payment methods; `tok_*` sources map onto the same names."""

_COMMON = {"amount", "currency", "customer", "description", "metadata", "receipt_email"}


def _test_card(payment_method: str, param: str) -> SandboxCard:
    name = payment_method.replace("tok_", "pm_card_", 1)
    card = TEST_CARDS.get(name)
    if card is None:
        raise missing("payment_method", payment_method, param=param)
    return card


def _money(ctx: OpContext, params: dict[str, Any]) -> tuple[int, str]:
    amount = as_int(params, "amount")
    currency = str(params.get("currency") or "").lower()
    if amount is None:
        raise invalid("Missing required param: amount.", "amount", "parameter_missing")
    if len(currency) != 3:
        raise invalid("Missing required param: currency.", "currency", "parameter_missing")
    problem = amount_problem(amount, currency)
    if problem is not None:
        raise invalid(problem, "amount", "amount_too_small")
    customer = params.get("customer")
    if customer and ctx.store.get(str(customer), "customer") is None:
        raise missing("customer", str(customer), param="customer")
    return amount, currency


def _decline(ctx: OpContext, charge: StripeObj, card: SandboxCard) -> ApiError:
    blocked = card.risk_level == "highest"
    charge.update(
        status="failed", paid=False, captured=False, amount_captured=0,
        failure_code="card_declined", failure_message="Your card was declined.",
        outcome={**charge["outcome"], "type": "blocked" if blocked else "issuer_declined",
                 "reason": "highest_risk_level" if blocked else "generic_decline",
                 "network_status": "not_sent_to_network" if blocked else "declined_by_network",
                 "seller_message": "The bank did not return any further details."},
    )  # fmt: skip
    ctx.store.put(charge)
    ctx.store.emit_event("charge.failed", charge, request=ctx.request)
    return ApiError(402, "Your card was declined.", type="card_error", code="card_declined")


def make_charge(
    ctx: OpContext, amount: int, currency: str, card: SandboxCard, **fields: Any
) -> StripeObj:
    """A charge with its balance transaction; raises a 402 `ApiError` for declining cards."""
    store, now = ctx.store, ctx.store.clock.timestamp()
    charge = shapes.charge(
        id=store.ids.for_object("charge"), created=now, amount=amount, currency=currency,
        outcome=shapes.outcome(card.risk_level, card.risk_score),
        payment_method_details=shapes.card_details(amount, card.brand, card.last4), **fields,
    )  # fmt: skip
    if card.declined or card.risk_level == "highest":
        raise _decline(ctx, charge, card)
    txn = shapes.balance_transaction(
        id=store.ids.for_object("balance_transaction"), created=now, amount=amount,
        currency=currency, source=charge["id"], description=charge["description"],
    )  # fmt: skip
    store.put(txn)
    charge["balance_transaction"] = txn["id"]
    store.put(charge)
    store.emit_event("charge.succeeded", charge, request=ctx.request)
    return charge


def create_charge(ctx: OpContext, params: dict[str, Any]) -> StripeObj:
    """POST /v1/charges (the legacy API): an immediate captured charge."""
    check_params(params, {*_COMMON, "source", "capture", "statement_descriptor"})
    amount, currency = _money(ctx, params)
    card = _test_card(str(params.get("source") or "tok_visa"), "source")
    return make_charge(
        ctx, amount, currency, card, customer=params.get("customer"),
        description=params.get("description"),
        metadata=merge_metadata({}, params.get("metadata") or {}),
    )  # fmt: skip


def create_payment_intent(ctx: OpContext, params: dict[str, Any]) -> StripeObj:
    """POST /v1/payment_intents, confirming at once when `confirm=true`."""
    extra = {"payment_method", "payment_method_types", "confirm", "automatic_payment_methods"}
    check_params(params, {*_COMMON, *extra, "capture_method", "return_url", "off_session"})
    amount, currency = _money(ctx, params)
    store = ctx.store
    pi_id = store.ids.for_object("payment_intent")
    intent = shapes.payment_intent(
        id=pi_id, created=store.clock.timestamp(), amount=amount, currency=currency,
        client_secret=store.ids.secret(pi_id), customer=params.get("customer"),
        description=params.get("description"), receipt_email=params.get("receipt_email"),
        metadata=merge_metadata({}, params.get("metadata") or {}),
        payment_method_types=as_list(params, "payment_method_types") or ["card"],
    )  # fmt: skip
    if params.get("payment_method"):
        intent.update(payment_method=params["payment_method"], status="requires_confirmation")
    store.put(intent)
    store.emit_event("payment_intent.created", intent, request=ctx.request)
    if as_bool(params, "confirm"):
        return confirm_payment_intent(ctx, intent, {})
    return intent


def confirm_payment_intent(ctx: OpContext, intent: StripeObj, params: dict[str, Any]) -> StripeObj:
    """POST /v1/payment_intents/{id}/confirm: charge the payment method."""
    check_params(params, {"payment_method", "return_url", "off_session"})
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        message = f"This PaymentIntent's status is {intent['status']} and cannot be confirmed."
        raise ApiError(400, message, code="payment_intent_unexpected_state")
    method = str(params.get("payment_method") or intent.get("payment_method") or "")
    if not method:
        message = "You cannot confirm this PaymentIntent because it's missing a payment method."
        raise invalid(message, "payment_method", "payment_intent_unexpected_state")
    card = _test_card(method, "payment_method")
    new = copy.deepcopy(intent)
    new["payment_method"] = method
    try:
        charge = make_charge(
            ctx, intent["amount"], intent["currency"], card, payment_intent=intent["id"],
            customer=intent["customer"], description=intent["description"],
            metadata=dict(intent["metadata"]), payment_method=method,
        )  # fmt: skip
    except ApiError as exc:
        error = {"type": exc.type, "code": exc.code, "message": exc.message}
        new.update(status="requires_payment_method", last_payment_error=error)
        ctx.store.put(new)
        ctx.store.emit_event("payment_intent.payment_failed", new, request=ctx.request)
        raise
    new.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"])
    ctx.store.put(new)
    ctx.store.emit_event("payment_intent.succeeded", new, request=ctx.request)
    return new
