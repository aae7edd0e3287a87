"""`invoice.*` and `customer.subscription.*` → the billing flow (`pipeline/sync/billing.py`)."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.billing import (
    invoice_payment_failed,
    sync_paid_invoice,
    sync_subscription,
)


def _object_id(ctx: HandlerContext, prefix: str) -> str:
    object_id = ctx.object.get("id")
    if not isinstance(object_id, str) or not object_id.startswith(prefix):
        raise PermanentError(f"{ctx.event.type} event without a {prefix}… object id")
    return object_id


@handles("invoice.paid")
async def invoice_paid(ctx: HandlerContext) -> str | None:
    return await sync_paid_invoice(ctx, _object_id(ctx, "in_"))


@handles("invoice.payment_failed")
async def invoice_failed(ctx: HandlerContext) -> str | None:
    return await invoice_payment_failed(ctx, _object_id(ctx, "in_"))


@handles(
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
async def subscription_changed(ctx: HandlerContext) -> str | None:
    return await sync_subscription(ctx, _object_id(ctx, "sub_"))
