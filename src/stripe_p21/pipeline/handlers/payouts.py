"""`payout.paid` / `payout.reconciliation_completed` → one balanced P21 GL entry per payout and
its reconciliation against what we synced (`pipeline.sync.payouts`).

No watermark gate: both events arrive in the same second, and the flow acts on the payout as
re-fetched from Stripe and is create-once per payout, so a "stale" one must not skip the work."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.payouts import sync_payout


@handles("payout.paid", "payout.reconciliation_completed")
async def payout_settled(ctx: HandlerContext) -> str | None:
    """Post and reconcile the payout once it is paid and (when itemised) reconciled by Stripe."""
    payout_id = ctx.object.get("id")
    if ctx.object.get("object") != "payout" or not isinstance(payout_id, str):
        raise PermanentError(f"{ctx.event.type} event without a payout object")
    return await sync_payout(ctx, payout_id)
