"""`payout.paid` / `payout.reconciliation_completed` → one balanced P21 GL entry per payout and
its reconciliation against what we synced; `payout.failed` → one reversing GL entry when that
entry was posted, nothing when it was not (`pipeline.sync.payouts`).

No watermark gate: `payout.paid` and `payout.reconciliation_completed` arrive in the same second,
and every flow acts on the payout as re-fetched from Stripe and is create-once per payout, so a
"stale" event must not skip the work."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.payouts import sync_payout, sync_payout_failure


def _payout_id(ctx: HandlerContext) -> str:
    payout_id = ctx.object.get("id")
    if ctx.object.get("object") != "payout" or not isinstance(payout_id, str):
        raise PermanentError(f"{ctx.event.type} event without a payout object")
    return payout_id


@handles("payout.paid", "payout.reconciliation_completed")
async def payout_settled(ctx: HandlerContext) -> str | None:
    """Post and reconcile the payout once it is paid and (when itemised) reconciled by Stripe."""
    return await sync_payout(ctx, _payout_id(ctx))


@handles("payout.failed")
async def payout_failed(ctx: HandlerContext) -> str | None:
    """Reverse the payout's posted GL entry once the bank returned it (also after `paid`)."""
    return await sync_payout_failure(ctx, _payout_id(ctx))
