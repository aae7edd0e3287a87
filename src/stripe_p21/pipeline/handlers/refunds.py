"""Refund events → one P21 RMA (credit memo) per Stripe refund (`pipeline.sync.refunds`).

`refund.created` / `refund.updated` name one refund; `charge.refunded` carries the charge, whose
refunds are each synced. Duplicates and any order of arrival converge on one RMA per refund."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.refunds import object_id, sync_charge_refunds, sync_refund


def _id(ctx: HandlerContext, prefix: str) -> str:
    found = object_id(ctx.object)
    if found is None or not found.startswith(prefix):
        raise PermanentError(f"{ctx.event.type} without a {prefix}… object id")
    return found


@handles("refund.created", "refund.updated", "charge.refund.updated")
async def on_refund(ctx: HandlerContext) -> str | None:
    return await sync_refund(ctx, _id(ctx, "re_"))


@handles("charge.refunded")
async def on_charge_refunded(ctx: HandlerContext) -> str | None:
    return await sync_charge_refunds(ctx, _id(ctx, "ch_"))
