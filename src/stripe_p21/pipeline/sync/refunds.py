"""Refund flow: every Stripe refund of a documented charge becomes exactly one P21 RMA (credit
memo), keyed `(re_…, "rma")` and by `po_no` = refund id in P21, whatever order events arrive in.

The refund and its charge are re-fetched; a charge not synced yet is synced first
(`ensure_charge_synced`), so a refund that arrives before its charge never fails for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stripe_p21.connectors.p21.errors import P21NotFound, P21RejectedError
from stripe_p21.connectors.p21.once import create_order_once
from stripe_p21.pipeline.errors import NeedsReview, TransientError
from stripe_p21.pipeline.mapping.refunds import (
    OriginalLine,
    RefundMappingError,
    RmaPlan,
    original_lines,
    refund_action,
    rma_plan,
)
from stripe_p21.pipeline.sync.claims import PENDING, claim, release, settle, settled_link
from stripe_p21.pipeline.sync.links import find_link
from stripe_p21.review.service import ReviewRequest, raise_item

if TYPE_CHECKING:
    from stripe_p21.pipeline.context import HandlerContext
    from stripe_p21.pipeline.tables import SyncLink

DOCUMENT_KINDS = ("order", "payment")
"""Link kinds that say a charge has its P21 document (a new order, or a payment on one)."""


def object_id(value: Any) -> str | None:
    """An id from a field that is either the id or the expanded object."""
    if isinstance(value, Mapping):
        found = value.get("id")
        return str(found) if found else None
    return str(value) if value else None


def p21_refusal(
    exc: P21RejectedError, *, what: str, stripe_object_id: str, evidence: dict[str, Any]
) -> NeedsReview:
    """P21 refused a write: retrying cannot help, a person must look (queue `sync`)."""
    return NeedsReview(
        f"P21 refused {what}: {exc.message}",
        queue="sync",
        reason="p21_rejected",
        stripe_object_id=stripe_object_id,
        evidence={"p21_messages": list(exc.messages), **evidence},
    )


async def find_charge_document(ctx: HandlerContext, charge_id: str) -> SyncLink | None:
    """The charge's finished `order` or `payment` link, when one is recorded."""
    for kind in DOCUMENT_KINDS:
        link = await settled_link(ctx, charge_id, kind)
        if link is not None:
            return link
    return None


async def charge_document(ctx: HandlerContext, charge_id: str) -> SyncLink | None:
    """The charge's P21 document link, syncing the charge first when it has none yet.

    None means the charge must not produce a document (so neither do its refunds)."""
    link = await find_charge_document(ctx, charge_id)
    if link is not None:
        return link
    try:
        from stripe_p21.pipeline.sync.payments import ensure_charge_synced
    except ImportError as exc:  # the payments flow is not installed: try again later
        raise TransientError(f"charge {charge_id} is not synced yet") from exc
    return await ensure_charge_synced(ctx, charge_id)


async def _original(
    ctx: HandlerContext, link: SyncLink, currency: str
) -> tuple[int | str, tuple[OriginalLine, ...]]:
    """The customer and lines of the document the charge paid (no lines for an invoice)."""
    customer: int | str | None = link.p21_customer_id
    if link.p21_kind == "payment" and link.details.get("target") == "invoice":
        return _need_customer(customer, link), ()  # an invoice: no order lines to spread over
    try:
        order = await ctx.p21.get_order(link.p21_document_no)
    except P21NotFound:
        if link.p21_kind == "order":
            raise TransientError(f"P21 order {link.p21_document_no} is not readable yet") from None
        lines: tuple[OriginalLine, ...] = ()
    else:
        customer = order.customer_id if order.customer_id is not None else customer
        lines = original_lines(order.lines, currency)
    return _need_customer(customer, link), lines


def _need_customer(customer: int | str | None, link: SyncLink) -> int | str:
    if customer is None:
        raise NeedsReview(
            f"no P21 customer known for document {link.p21_document_no}",
            queue="sync",
            reason="credit_memo_without_customer",
            stripe_object_id=link.stripe_object_id,
        )
    return customer


async def _plan(ctx: HandlerContext, refund: dict[str, Any], link: SyncLink) -> RmaPlan:
    customer, lines = await _original(ctx, link, str(refund["currency"]).lower())
    try:
        return rma_plan(refund, customer_id=customer, original=lines, config=ctx.mapping)
    except RefundMappingError as exc:
        raise NeedsReview(
            str(exc),
            queue="mapping",
            reason="refund_allocation",
            stripe_object_id=str(refund["id"]),
            evidence={"refund": refund, "strategy": ctx.mapping.refunds.strategy},
        ) from exc


async def _void(ctx: HandlerContext, refund: dict[str, Any]) -> str:
    """A failed or canceled refund: nothing to credit; a person reverses an RMA already made."""
    refund_id = str(refund["id"])
    async with ctx.sessions() as session, session.begin():
        link = await find_link(session, refund_id, "rma")
        if link is None or link.status == PENDING:
            return f"refund {refund.get('status')}: no credit memo"
        await raise_item(
            session,
            ReviewRequest(
                queue="reconciliation",
                reason="refund_failed_after_credit_memo",
                title=f"Refund {refund_id} {refund.get('status')} after RMA {link.p21_document_no}",
                stripe_object_id=refund_id,
                event_id=ctx.event.id,
                message=f"Stripe refund {refund.get('status')}; P21 RMA {link.p21_document_no} "
                "still credits the customer",
                priority=2,
                evidence={"refund": refund, "rma": link.p21_document_no},
                links={"p21_documents": [link.p21_document_no]},
            ),
        )
    return f"refund {refund.get('status')} after credit memo {link.p21_document_no}: review"


async def sync_refund(ctx: HandlerContext, refund_id: str) -> str | None:
    """Make sure the refund has its RMA (or none, when it must not); returns a note."""
    refund = await ctx.stripe.retrieve_refund(refund_id, expand=[])
    action = refund_action(refund)
    if action == "void":
        return await _void(ctx, refund)
    if action == "wait":
        return f"refund {refund.get('status')}: waiting for its outcome"
    existing = await settled_link(ctx, refund_id, "rma")
    if existing is not None:
        return f"credit memo {existing.p21_document_no} exists"
    charge_id = object_id(refund.get("charge"))
    if charge_id is None:
        raise NeedsReview(
            f"refund {refund_id} names no charge",
            queue="sync",
            reason="refund_without_charge",
            stripe_object_id=refund_id,
            evidence={"refund": refund},
        )
    document = await charge_document(ctx, charge_id)
    if document is None:
        return f"charge {charge_id} has no P21 document: no credit memo"
    plan = await _plan(ctx, refund, document)
    held = await claim(ctx, stripe_object_id=refund_id, stripe_object_type="refund", kind="rma")
    if held.done is not None:
        return f"credit memo {held.done.p21_document_no} exists"
    try:
        result = await create_order_once(ctx.p21, plan.draft, rma=True)
    except P21RejectedError as exc:
        await release(ctx, held)
        raise p21_refusal(
            exc, what=f"the RMA for {refund_id}", stripe_object_id=refund_id,
            evidence={"draft": repr(plan.draft)},
        ) from exc  # fmt: skip
    except BaseException:
        await release(ctx, held)
        raise
    async with ctx.sessions() as session, session.begin():
        await settle(
            session, ctx, held, stripe_object_type="refund", p21_document_no=result.order.order_no,
            p21_customer_id=plan.draft.customer_id, currency=plan.currency,
            amount_minor=plan.amount_minor, details=_details(plan, charge_id, document),
        )  # fmt: skip
    ctx.log.info(
        "credit_memo_synced", refund=refund_id, rma=result.order.order_no, created=result.created
    )
    return None


def _details(plan: RmaPlan, charge_id: str, document: SyncLink) -> dict[str, Any]:
    return {
        "stripe_charge_id": charge_id,
        "charge_document": {"kind": document.p21_kind, "no": document.p21_document_no},
        "strategy": plan.strategy,
        "note": plan.note,
        "lines": [
            {"item_id": line.item_id, "quantity": str(line.quantity),
             "amount_minor": line.amount_minor}
            for line in plan.lines
        ],
    }  # fmt: skip


async def sync_charge_refunds(ctx: HandlerContext, charge_id: str) -> str | None:
    """Every refund of the charge (as Stripe lists it now, plus the event's snapshot)."""
    charge = await ctx.stripe.retrieve_charge(charge_id, expand=["refunds"])
    ids: list[str] = []
    for source in (charge, ctx.object if object_id(ctx.object) == charge_id else {}):
        listed = source.get("refunds") or {}
        for refund in listed.get("data") or [] if isinstance(listed, Mapping) else []:
            found = object_id(refund)
            if found and found not in ids:
                ids.append(found)
    notes = [note for refund_id in ids if (note := await sync_refund(ctx, refund_id))]
    if not ids:
        return "charge lists no refunds"
    return "; ".join(notes) or None
