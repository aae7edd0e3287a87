"""Radar on the ERP side: reviews and early fraud warnings hold, release or cancel the charge's
P21 order, and raise `fraud` review items.

Every risk object (review, early fraud warning, dispute) leaves a *signal* on the charge's order
link (`details.risk[object id]` = hold / clear / cancel / defer), read from the object as Stripe
holds it now. The order's state follows from all signals together, so events in any order, twice
or late, converge on the same P21 state: cancel beats hold, hold beats clear, and a cancelled
order never comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from stripe_p21.connectors.p21.errors import P21RejectedError
from stripe_p21.pipeline.sync.claims import PENDING
from stripe_p21.pipeline.sync.links import find_link, set_status
from stripe_p21.pipeline.sync.refunds import charge_document, object_id, p21_refusal
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.service import ReviewRequest, raise_item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from stripe_p21.pipeline.context import HandlerContext

Signal = Literal["hold", "clear", "cancel", "defer"]
"""`defer`: a review closed as `disputed` holds the order until a dispute signal decides."""
OrderState = Literal["open", "held", "cancelled"]
TERMINAL = frozenset({"cancelled", "credited"})

DECIDED: dict[str, Signal] = {
    "approved": "clear",
    "refunded": "cancel",
    "refunded_as_fraud": "cancel",
    "disputed": "defer",
}
"""`review.closed` reasons that decide the order; any other reason (redacted, canceled,
payment_never_settled, acknowledged, or one Stripe adds later) keeps the hold for a person."""


def review_signal(review: Mapping[str, Any]) -> tuple[Signal, str | None]:
    """The order signal of a review as it stands, and the close reason needing a person."""
    if review.get("open"):
        return "hold", None
    reason = str(review.get("closed_reason") or review.get("reason") or "unknown")
    signal = DECIDED.get(reason)
    return (signal, None) if signal is not None else ("hold", reason)


def warning_signal(warning: Mapping[str, Any], charge: Mapping[str, Any]) -> Signal:
    """An early fraud warning cancels the order once acted on by refunding the charge; while
    it is actionable (or was settled otherwise, e.g. by a dispute) the order is untouched."""
    refunded = int(charge.get("amount_refunded") or 0) > 0 or bool(charge.get("refunded"))
    return "cancel" if not warning.get("actionable") and refunded else "clear"


def desired_state(signals: Mapping[str, str]) -> OrderState:
    """Cancel beats hold beats clear; `defer` holds unless a dispute (`dp_`/`du_`) signalled."""
    values = set(signals.values())
    if "cancel" in values:
        return "cancelled"
    disputed = any(key.startswith(("dp_", "du_")) for key in signals)
    if "hold" in values or ("defer" in values and not disputed):
        return "held"
    return "open"


async def _locked_link(session: AsyncSession, link_id: int) -> SyncLink | None:
    stmt = select(SyncLink).where(SyncLink.id == link_id)  # type: ignore[arg-type]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def _apply(
    ctx: HandlerContext, session: AsyncSession, link: SyncLink, target: OrderState, source: str
) -> str | None:
    """Bring the P21 order to `target`; returns the link status to record (None: unchanged)."""
    current, order_no = link.status, link.p21_document_no
    if current in TERMINAL or link.p21_kind != "order":
        return None
    try:
        if target == "cancelled":
            await ctx.p21.cancel_order(order_no)
            return "cancelled"
        if target == "held" and current != "held":
            await ctx.p21.hold_order(order_no)
            return "held"
        if target == "open" and current == "held":
            await ctx.p21.release_order(order_no)
            return "released"
    except P21RejectedError as exc:
        if target == "cancelled":
            return await _not_cancellable(ctx, session, link, source, exc)
        raise p21_refusal(
            exc, what=f"to make order {order_no} {target}", stripe_object_id=link.stripe_object_id,
            evidence={"order_no": order_no, "target": target},
        ) from exc  # fmt: skip
    return None


async def _not_cancellable(
    ctx: HandlerContext, session: AsyncSession, link: SyncLink, source: str, exc: P21RejectedError
) -> str | None:
    """P21 refused the cancel (shipped, invoiced): `credited` when the charge's refunds have
    their credit memos; otherwise a person decides (the item names P21's reason)."""
    charge = await ctx.stripe.retrieve_charge(link.stripe_object_id, expand=["refunds"])
    refunds = [object_id(r) for r in (charge.get("refunds") or {}).get("data") or []]
    memos = [await find_link(session, r, "rma") for r in refunds if r]
    credited = sum(m.amount_minor or 0 for m in memos if m is not None and m.status != PENDING)
    if credited and credited >= int(charge.get("amount_refunded") or 0) > 0:
        return "credited"
    queue = "disputes" if source.startswith(("dp_", "du_")) else "fraud"
    await raise_item(
        session,
        ReviewRequest(
            queue=queue, reason="order_not_cancellable",
            title=f"P21 order {link.p21_document_no} cannot be cancelled ({source})",
            stripe_object_id=link.stripe_object_id, event_id=ctx.event.id,
            message=f"P21 refused to cancel order {link.p21_document_no}: {exc.message}",
            priority=1, evidence={"p21_messages": list(exc.messages), "source": source},
            links={"p21_documents": [link.p21_document_no]},
        ),
    )  # fmt: skip
    return None


async def apply_signal(
    ctx: HandlerContext,
    charge_id: str,
    source_id: str,
    signal: Signal,
    *,
    items: tuple[ReviewRequest, ...] = (),
) -> str:
    """Raise `items`, then record `source_id`'s signal on the charge's order and bring P21 in
    line. Syncs the charge first when it has no document yet (its failures propagate, so a
    retry of this event applies the hold once the charge can be synced)."""
    if items:  # first and on their own: the items stand even when the charge cannot sync
        async with ctx.sessions() as session, session.begin():
            for item in items:
                await raise_item(session, item)
    document = await charge_document(ctx, charge_id)
    async with ctx.sessions() as session, session.begin():
        if document is None or document.id is None:
            return f"charge {charge_id} has no P21 document: nothing to hold"
        link = await _locked_link(session, document.id)
        if link is None:  # pragma: no cover - links are never deleted
            return f"link of {charge_id} vanished"
        known = link.details.get("risk")
        signals = {**(dict(known) if isinstance(known, dict) else {}), source_id: signal}
        target = desired_state(signals)
        status = await _apply(ctx, session, link, target, source_id)
        link.details = {**link.details, "risk": signals}
        if status is not None:
            await set_status(session, link, status, status_reason=source_id)
        else:
            await set_status(session, link, link.status)
    ctx.log.info("order_risk_state", charge=charge_id, source=source_id, signal=signal,
                 target=target, status=link.status)  # fmt: skip
    return f"order {link.p21_document_no} {link.status} ({source_id}: {signal})"


def fraud_item(
    ctx: HandlerContext, reason: str, stripe_object_id: str, charge_id: str, obj: Mapping[str, Any]
) -> ReviewRequest:
    """A `fraud` queue item (docs/scenarios.md: review_opened, review_closed_<reason>,
    early_fraud_warning)."""
    return ReviewRequest(
        queue="fraud",
        reason=reason,
        title=f"{reason.replace('_', ' ').capitalize()}: {stripe_object_id} on {charge_id}",
        stripe_object_id=stripe_object_id,
        event_id=ctx.event.id,
        priority=2,
        evidence={"stripe_charge_id": charge_id, "object": dict(obj)},
        links={"events": [ctx.event.id], "stripe_charge_id": charge_id},
    )


async def sync_review(ctx: HandlerContext, review_id: str, *, opened: bool) -> str:
    """`review.opened`: item `review_opened` (always, even when it closed meanwhile) and the
    order held while open. `review.closed`: release, cancel, or keep held with an item
    `review_closed_<reason>` on the charge."""
    review = await ctx.stripe.retrieve_review(review_id, expand=[])
    charge_id = object_id(review.get("charge"))
    if charge_id is None:
        return f"review {review_id} has no charge"
    signal, undecided = review_signal(review)
    items: list[ReviewRequest] = []
    if opened:
        items.append(fraud_item(ctx, "review_opened", review_id, charge_id, review))
    if undecided is not None:
        reason = f"review_closed_{undecided}"
        items.append(fraud_item(ctx, reason, charge_id, charge_id, review))
    return await apply_signal(ctx, charge_id, review_id, signal, items=tuple(items))


async def sync_early_fraud_warning(ctx: HandlerContext, warning_id: str, *, created: bool) -> str:
    """Item `early_fraud_warning` when it is created; cancel the order once refunded as fraud."""
    warning = await ctx.stripe.retrieve_early_fraud_warning(warning_id, expand=[])
    charge_id = object_id(warning.get("charge"))
    if charge_id is None:
        return f"early fraud warning {warning_id} has no charge"
    charge = await ctx.stripe.retrieve_charge(charge_id, expand=[])
    items = (fraud_item(ctx, "early_fraud_warning", warning_id, charge_id, warning),)
    signal = warning_signal(warning, charge)
    return await apply_signal(ctx, charge_id, warning_id, signal, items=items if created else ())
