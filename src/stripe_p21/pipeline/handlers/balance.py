"""`balance.available` → a per-currency mirror of the Stripe balance, so operators see what
Stripe holds next to what reached P21. Small, real, and guarded by the object watermark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stripe_p21.db.tables import StripeBalance
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.watermark import advance


def balance_by_currency(balance: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Sum a Stripe balance object's `available` and `pending` lists per currency (minor units)."""
    totals: dict[str, list[int]] = {}
    for slot, key in ((0, "available"), (1, "pending")):
        for entry in balance.get(key) or []:
            amount, currency = entry.get("amount"), entry.get("currency")
            if not isinstance(amount, int) or not isinstance(currency, str) or len(currency) != 3:
                raise PermanentError(
                    f"balance entry without integer amount and currency: {entry!r}"
                )
            totals.setdefault(currency.lower(), [0, 0])[slot] += amount
    return {currency: (pair[0], pair[1]) for currency, pair in sorted(totals.items())}


@handles("balance.available")
async def mirror_balance(ctx: HandlerContext) -> str | None:
    """Replace the mirrored balance of this account with the event's snapshot, unless stale."""
    if ctx.object.get("object") != "balance":
        raise PermanentError("balance.available event without a balance object")
    account = ctx.event.account or "self"
    amounts = balance_by_currency(ctx.object)
    async with ctx.sessions() as session, session.begin():
        fresh = await advance(
            session,
            object_id=f"balance:{account}",
            object_type="balance",
            created=ctx.created,
            event_id=ctx.event.id,
        )
        if not fresh:
            return "stale: a newer balance is already mirrored"
        for currency, (available, pending) in amounts.items():
            row = await session.get(StripeBalance, (account, currency))
            if row is None:
                row = StripeBalance(
                    account=account,
                    currency=currency,
                    available_minor=available,
                    pending_minor=pending,
                    as_of=ctx.created,
                    event_id=ctx.event.id,
                )
                session.add(row)
            else:
                row.available_minor, row.pending_minor = available, pending
                row.as_of, row.event_id = ctx.created, ctx.event.id
    ctx.log.info("balance_mirrored", currencies=list(amounts))
    return None
