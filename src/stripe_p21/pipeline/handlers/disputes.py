"""Dispute events → the charge's P21 order held / released / cancelled, a `disputes` review
item, and the dispute's GL entries (`pipeline.sync.disputes`)."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.disputes import sync_dispute, sync_dispute_funds
from stripe_p21.pipeline.sync.refunds import object_id


def _id(ctx: HandlerContext) -> str:
    found = object_id(ctx.object)
    if found is None:
        raise PermanentError(f"{ctx.event.type} without an object id")
    return found


@handles("charge.dispute.created")
async def on_dispute_created(ctx: HandlerContext) -> str | None:
    return await sync_dispute(ctx, _id(ctx), created=True)


@handles("charge.dispute.updated", "charge.dispute.closed")
async def on_dispute_changed(ctx: HandlerContext) -> str | None:
    return await sync_dispute(ctx, _id(ctx), created=False)


@handles("charge.dispute.funds_withdrawn")
async def on_funds_withdrawn(ctx: HandlerContext) -> str | None:
    return await sync_dispute_funds(ctx, _id(ctx), "withdrawn")


@handles("charge.dispute.funds_reinstated")
async def on_funds_reinstated(ctx: HandlerContext) -> str | None:
    return await sync_dispute_funds(ctx, _id(ctx), "reinstated")
