"""`charge.*` and `payment_intent.*` → order-to-cash (`pipeline/sync/payments.py`): both
succeeded events of one payment resolve to its charge id and one P21 effect; pending, processing
and failed payments are acknowledged without a P21 document."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.payments import sync_charge


def _object_id(ctx: HandlerContext, prefix: str) -> str:
    object_id = ctx.object.get("id")
    if not isinstance(object_id, str) or not object_id.startswith(prefix):
        raise PermanentError(f"{ctx.event.type} event without a {prefix}… object id")
    return object_id


@handles("charge.succeeded")
async def charge_succeeded(ctx: HandlerContext) -> str | None:
    """Re-fetch the charge (with its balance transaction) and document it once."""
    charge = await ctx.stripe.retrieve_charge(_object_id(ctx, "ch_"))
    link = await sync_charge(ctx, charge)
    return None if link is not None else "no P21 document for this charge"


@handles("payment_intent.succeeded")
async def payment_intent_succeeded(ctx: HandlerContext) -> str | None:
    """Re-fetch the intent with its latest charge and document that charge once."""
    intent = await ctx.stripe.retrieve_payment_intent(_object_id(ctx, "pi_"))
    charge = intent.get("latest_charge")
    if intent.get("status") != "succeeded" or not isinstance(charge, dict):
        return f"payment intent is {intent.get('status')!r}: nothing to document yet"
    link = await sync_charge(ctx, charge)
    return None if link is not None else "no P21 document for this payment"


@handles("charge.pending", "payment_intent.processing")
async def payment_pending(ctx: HandlerContext) -> str | None:
    """A bank debit on its way: P21 hears of it when it succeeds."""
    return "pending: no P21 document until the payment succeeds"


@handles("charge.failed", "payment_intent.payment_failed")
async def payment_failed(ctx: HandlerContext) -> str | None:
    """Blocked or declined: no money moved, nothing for P21."""
    return "failed or blocked: no P21 document"
