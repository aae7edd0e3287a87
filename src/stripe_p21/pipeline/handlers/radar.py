"""Radar events → the charge's P21 order held, released or cancelled, and `fraud` review items
(`pipeline.sync.radar`). Each handler re-fetches the review or warning before acting."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.radar import sync_early_fraud_warning, sync_review
from stripe_p21.pipeline.sync.refunds import object_id


def _id(ctx: HandlerContext) -> str:
    found = object_id(ctx.object)
    if found is None:
        raise PermanentError(f"{ctx.event.type} without an object id")
    return found


@handles("review.opened")
async def on_review_opened(ctx: HandlerContext) -> str | None:
    return await sync_review(ctx, _id(ctx), opened=True)


@handles("review.closed")
async def on_review_closed(ctx: HandlerContext) -> str | None:
    return await sync_review(ctx, _id(ctx), opened=False)


@handles("radar.early_fraud_warning.created")
async def on_warning_created(ctx: HandlerContext) -> str | None:
    return await sync_early_fraud_warning(ctx, _id(ctx), created=True)


@handles("radar.early_fraud_warning.updated")
async def on_warning_updated(ctx: HandlerContext) -> str | None:
    return await sync_early_fraud_warning(ctx, _id(ctx), created=False)
