"""Refunds: full and partial, several per charge, each with its balance transaction and events.

Sends `refund.created` and `charge.refunded` (with the charge's previous amounts), as Stripe does.
"""

from __future__ import annotations

import copy
from typing import Any

from stripe_p21.sandbox.stripe import shapes_payments as shapes
from stripe_p21.sandbox.stripe.currency import exponent
from stripe_p21.sandbox.stripe.forms import as_int
from stripe_p21.sandbox.stripe.mutations import (
    OpContext,
    check_params,
    merge_metadata,
    previous_attributes,
)
from stripe_p21.sandbox.stripe.store import StripeObj
from stripe_p21.sandbox.stripe.wire import invalid, missing

REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})


def _charge_for(ctx: OpContext, params: dict[str, Any]) -> StripeObj:
    if params.get("charge"):
        charge = ctx.store.get(str(params["charge"]), "charge")
        if charge is None:
            raise missing("charge", str(params["charge"]), param="charge")
        return charge
    if params.get("payment_intent"):
        intent = ctx.store.get(str(params["payment_intent"]), "payment_intent")
        if intent is None:
            raise missing("payment_intent", str(params["payment_intent"]), "payment_intent")
        if intent.get("latest_charge"):
            found = ctx.store.get(str(intent["latest_charge"]), "charge")
            if found is not None:
                return found
        message = (
            f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund."
        )
        raise invalid(message, "payment_intent", "charge_not_refundable")
    raise invalid("One of the following params should be provided: charge, payment_intent.")


def _refund_amount(params: dict[str, Any], charge: StripeObj) -> int:
    remaining = int(charge["amount_captured"]) - int(charge["amount_refunded"])
    if remaining <= 0:
        message = f"Charge {charge['id']} has already been refunded."
        raise invalid(message, "charge", "charge_already_refunded")
    amount = as_int(params, "amount")
    if amount is None:
        return remaining
    if amount <= 0:
        raise invalid("Refund amount must be positive.", "amount")
    if amount > remaining:
        message = (
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})"
        )
        raise invalid(message, "amount", "amount_too_large")
    if exponent(charge["currency"]) == 3 and amount % 10:
        raise invalid("Amounts in three-decimal currencies must be multiples of 10.", "amount")
    return amount


def create_refund(ctx: OpContext, params: dict[str, Any]) -> StripeObj:
    """POST /v1/refunds: refund all or part of what remains on a charge."""
    check_params(params, {"amount", "charge", "payment_intent", "metadata", "reason"})
    charge = _charge_for(ctx, params)
    amount = _refund_amount(params, charge)
    reason = params.get("reason") or None
    if reason is not None and reason not in REASONS:
        raise invalid(f"Invalid reason: must be one of {', '.join(sorted(REASONS))}", "reason")
    store, now = ctx.store, ctx.store.clock.timestamp()
    refund = shapes.refund(
        id=store.ids.for_object("refund"), created=now, amount=amount,
        currency=charge["currency"], charge=charge["id"], reason=reason,
        payment_intent=charge["payment_intent"], customer=charge["customer"],
        payment_method=charge["payment_method"],
        metadata=merge_metadata({}, params.get("metadata") or {}),
    )  # fmt: skip
    txn = shapes.balance_transaction(
        id=store.ids.for_object("balance_transaction"), created=now, amount=-amount,
        currency=charge["currency"], source=refund["id"], type="refund",
        description="REFUND FOR CHARGE",
    )  # fmt: skip
    store.put(txn)
    refund["balance_transaction"] = txn["id"]
    store.put(refund)
    _record_on_charge(ctx, charge, refund)
    store.emit_event("refund.created", refund, request=ctx.request)
    return refund


def _record_on_charge(ctx: OpContext, charge: StripeObj, refund: StripeObj) -> None:
    new = copy.deepcopy(charge)
    new["amount_refunded"] = int(charge["amount_refunded"]) + int(refund["amount"])
    new["refunded"] = new["amount_refunded"] >= int(charge["amount_captured"])
    refunds = new["refunds"]
    refunds["data"] = [refund, *refunds["data"]][:10]
    refunds["has_more"] = bool(refunds["has_more"]) or len(charge["refunds"]["data"]) >= 10
    ctx.store.put(new)
    diff = previous_attributes(charge, new)
    diff.pop("refunds", None)
    ctx.store.emit_event("charge.refunded", new, previous_attributes=diff, request=ctx.request)
