"""Order-to-cash: one P21 effect per Stripe payment, whichever event arrives first.

`charge.succeeded` and `payment_intent.succeeded` both end in `sync_charge` for the charge id:
a payment added to the P21 order the metadata names (`(ch_…, "payment")`), a payment of an open
P21 invoice (`(ch_…, "payment")`), or a new sales order with its remittance row
(`(ch_…, "order")`, created through `create_order_once`, keyed by the charge id in `po_no`).
In `orders.mode: direct_invoice` that new order is a direct invoice instead (order, payment and
invoice in one step, `create_direct_invoice_once`); the link stays `(ch_…, "order")` on the order
number, with `details.invoice_no`, so refunds, Radar and payouts find the order as before.
Charges of Stripe invoices belong to the billing flow; failed, blocked and pending charges
produce nothing. The job claims the charge before writing, so two events never write twice."""

from __future__ import annotations

from typing import Any

from stripe_p21.connectors.p21.errors import P21NotFound, P21OutcomeUnknown, P21RejectedError
from stripe_p21.connectors.p21.once import create_direct_invoice_once, create_order_once
from stripe_p21.connectors.p21.schemas import OrderDraft, P21Order
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import NeedsReview
from stripe_p21.pipeline.mapping import orders as mapping
from stripe_p21.pipeline.sync.claims import Claim, claim, release, settle, settled_link
from stripe_p21.pipeline.sync.customers import ensure_customer
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.service import ReviewRequest, raise_item

Charge = dict[str, Any]


def rejected(exc: P21RejectedError, stripe_object_id: str, commands: Any = None) -> NeedsReview:
    """P21 refused a write: a person must fix the data (queue `sync`, P21's own message)."""
    return NeedsReview(
        f"P21 rejected the document for {stripe_object_id}: {exc.message}",
        queue="sync",
        reason="p21_rejected",
        stripe_object_id=stripe_object_id,
        evidence={"p21_messages": list(exc.messages), "commands": repr(commands)[:2000]},
    )


def _metadata(charge: Charge) -> dict[str, Any]:
    return dict(charge.get("metadata") or {})


def _customer_ref(charge: Charge) -> str | None:
    customer = charge.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer) if customer else None


async def customer_for(ctx: HandlerContext, charge: Charge) -> int | str:
    """The P21 customer of a charge: the customer flow for its Stripe customer, else the id in
    the metadata, else the global customer when the policy says so."""
    charge_id = str(charge["id"])
    stripe_customer = _customer_ref(charge)
    if stripe_customer is not None:
        p21_id = await ensure_customer(ctx, stripe_customer)
        if p21_id is None:
            raise NeedsReview(
                f"{charge_id}: customer {stripe_customer} has no P21 customer yet",
                queue="customer_match", reason="customer_unresolved",
                stripe_object_id=charge_id, evidence={"stripe_customer_id": stripe_customer},
            )  # fmt: skip
        return p21_id
    hinted = str(_metadata(charge).get("p21_customer_id") or "").strip()
    if hinted.isdigit() and await ctx.p21.find_customer(hinted) is not None:
        return int(hinted)
    policy = ctx.mapping.customers
    if policy.policy == "single_global_customer" and policy.global_customer_id is not None:
        return policy.global_customer_id
    raise NeedsReview(
        f"{charge_id} names no customer: cannot choose a P21 customer",
        queue="customer_match", reason="no_customer", stripe_object_id=charge_id,
    )  # fmt: skip


async def write_back_order(ctx: HandlerContext, charge: Charge, wanted: dict[str, str]) -> None:
    """`p21_order_no` / `p21_customer_id` into the charge's metadata (only what differs)."""
    if not ctx.settings.sync.stripe_writeback:
        return
    changes = mapping.writeback(_metadata(charge), wanted)
    if changes:
        key = f"p21-writeback-{charge['id']}-" + "-".join(changes.values())
        await ctx.stripe.update_metadata("charge", str(charge["id"]), changes, idempotency_key=key)


def _risk_item(ctx: HandlerContext, charge: Charge, document: str) -> ReviewRequest:
    outcome = charge.get("outcome") or {}
    return ReviewRequest(
        queue="fraud",
        reason="elevated_risk",
        title=f"Elevated-risk payment {charge['id']} synced to P21 {document}",
        stripe_object_id=str(charge["id"]),
        event_id=ctx.event.id,
        priority=2,
        evidence={"risk_level": outcome.get("risk_level"), "risk_score": outcome.get("risk_score"),
                  "seller_message": outcome.get("seller_message"), "p21_document": document},
        links={"events": [ctx.event.id], "p21_documents": [document]},
    )  # fmt: skip


async def _finish(
    ctx: HandlerContext, held: Claim, charge: Charge, *, document: str, customer: Any,
    details: dict[str, Any],
) -> SyncLink:  # fmt: skip
    """Record the link (and, for an elevated-risk payment without a review, the fraud item)."""
    async with ctx.sessions() as session, session.begin():
        link = await settle(
            session, ctx, held, stripe_object_type="charge", p21_document_no=document,
            p21_customer_id=customer, currency=str(charge["currency"]),
            amount_minor=mapping.amount_paid_minor(charge), details=details,
        )  # fmt: skip
        if mapping.elevated_without_review(charge):
            await raise_item(session, _risk_item(ctx, charge, document))
    return link


def _unknown_items(charge: Charge, mapped: mapping.LineMapping) -> NeedsReview:
    first = mapped.unknown[0]
    meta = _metadata(charge)
    return NeedsReview(
        f"{charge['id']}: P21 has no item {first.requested} (line {first.line})",
        queue="mapping", reason="unknown_item", stripe_object_id=str(charge["id"]),
        evidence={"item_id": first.requested, "ecommerce_order_id": meta.get("ecommerce_order_id"),
                  "unknown": [{"line": u.line, "item_id": u.requested} for u in mapped.unknown]},
    )  # fmt: skip


async def order_draft(ctx: HandlerContext, charge: Charge, customer_id: int | str) -> tuple[
    OrderDraft, mapping.LineMapping
]:  # fmt: skip
    """The sales order a charge should become (items looked up in P21 first)."""
    requested = mapping.requested_lines(_metadata(charge))
    candidates = mapping.candidate_items(requested)
    found = await ctx.p21.find_items(candidates) if candidates else {}
    known = [item.item_id for item in found.values() if not item.deleted]
    mapped = mapping.map_lines(
        requested, known, ctx.mapping.orders,
        total_minor=mapping.amount_paid_minor(charge), currency=str(charge["currency"]),
    )  # fmt: skip
    if mapped.unknown:
        raise _unknown_items(charge, mapped)
    draft = mapping.sales_order(charge, customer_id=customer_id, lines=mapped.lines,
                                mapping=ctx.mapping)  # fmt: skip
    return draft, mapped


async def _create_document(ctx: HandlerContext, draft: OrderDraft) -> tuple[str, str | None, bool]:
    """(order number, invoice number or None, created by this call) of the charge's new P21
    document: a sales order, or in `direct_invoice` mode a direct invoice (the sandbox's alias;
    a real P21 invoices an order when it ships — docs/p21.md). Both look up before writing."""
    if mapping.invoices_at_payment(ctx.mapping):
        invoiced = await create_direct_invoice_once(ctx.p21, draft)
        invoice = invoiced.invoice
        return invoice.order_no, invoice.invoice_no, invoiced.created
    result = await create_order_once(ctx.p21, draft)
    return result.order.order_no, None, result.created


async def _create_order(ctx: HandlerContext, charge: Charge) -> SyncLink:
    charge_id = str(charge["id"])
    held = await claim(ctx, stripe_object_id=charge_id, stripe_object_type="charge", kind="order")
    if held.done is not None:
        return held.done
    try:
        customer_id = await customer_for(ctx, charge)
        draft, mapped = await order_draft(ctx, charge, customer_id)
        try:
            order_no, invoice_no, created = await _create_document(ctx, draft)
        except P21RejectedError as exc:
            raise rejected(exc, charge_id, draft) from exc
    except Exception:
        await release(ctx, held)
        raise
    details: dict[str, Any] = {
        "fields": mapping.field_table(draft, order_no, ctx.mapping, invoice_no=invoice_no),
        "rules": list(mapped.rules), "mode": ctx.mapping.orders.mode,
        "created_by_this_job": created,
    }  # fmt: skip
    if mapping.invoices_at_payment(ctx.mapping):
        details["invoice_no"] = invoice_no
        if invoice_no is None:  # an order for the charge existed already, not invoiced (yet)
            ctx.log.warning("direct_invoice_order_not_invoiced", charge=charge_id,
                            order_no=order_no)  # fmt: skip
    link = await _finish(ctx, held, charge, document=order_no, customer=customer_id,
                         details=details)  # fmt: skip
    ctx.log.info("order_synced", charge=charge_id, order_no=order_no, created=created,
                 invoice_no=invoice_no)  # fmt: skip
    await write_back_order(ctx, charge, {"p21_order_no": order_no,
                                         "p21_customer_id": str(customer_id)})  # fmt: skip
    return link


def _has_payment(order: P21Order, reference: str) -> bool:
    payments = ((order.raw.get("Payments") or {}).get("list")) or []
    return any(str(p.get("PaymentDesc") or "") == reference for p in payments)


async def _add_payment_once(ctx: HandlerContext, charge: Charge, order_no: str) -> P21Order:
    """Add the remittance unless P21 already shows one with this charge id (lookup first)."""
    charge_id = str(charge["id"])
    try:
        order = await ctx.p21.get_order(order_no)
    except P21NotFound as exc:
        raise NeedsReview(
            f"{charge_id} pays P21 order {order_no}, which P21 does not have",
            queue="sync", reason="p21_order_not_found", stripe_object_id=charge_id,
            evidence={"p21_order_no": order_no},
        ) from exc  # fmt: skip
    if _has_payment(order, charge_id):
        return order
    payment = mapping.payment_row(charge, ctx.mapping)
    try:
        await ctx.p21.add_payment(order_no, payment)
    except P21OutcomeUnknown:
        if not _has_payment(await ctx.p21.get_order(order_no), charge_id):
            raise
    except P21RejectedError as exc:
        raise rejected(exc, charge_id, payment) from exc
    return order


async def _pay_order(ctx: HandlerContext, charge: Charge) -> SyncLink:
    charge_id = str(charge["id"])
    order_no = str(_metadata(charge)["p21_order_no"]).strip()
    held = await claim(ctx, stripe_object_id=charge_id, stripe_object_type="charge",
                       kind="payment")  # fmt: skip
    if held.done is not None:
        return held.done
    try:
        order = await _add_payment_once(ctx, charge, order_no)
    except Exception:
        await release(ctx, held)
        raise
    customer = order.customer_id
    link = await _finish(ctx, held, charge, document=order_no, customer=customer,
                         details={"target": "order", "p21_order_no": order_no})  # fmt: skip
    ctx.log.info("order_payment_synced", charge=charge_id, order_no=order_no)
    wanted = {"p21_order_no": order_no}
    if customer is not None:
        wanted["p21_customer_id"] = str(customer)
    await write_back_order(ctx, charge, wanted)
    return link


async def _invoice_order_no(ctx: HandlerContext, invoice_no: str) -> str | None:
    """The sales order P21 invoiced as `invoice_no` (None: no such invoice, or no order on it)."""
    invoice = await ctx.p21.find_invoice(invoice_no)
    return invoice.order_no if invoice is not None else None


async def _pay_invoice(ctx: HandlerContext, charge: Charge) -> SyncLink:
    """Payment of an open P21 invoice: the remittance goes on the order P21 invoiced (P21
    invoices orders; the Transaction API has no cash-receipt service). When the invoice's order
    cannot be read, the payment is recorded on our side against the invoice number only."""
    charge_id = str(charge["id"])
    meta = _metadata(charge)
    invoice_no = str(meta["p21_invoice_no"]).strip()
    held = await claim(ctx, stripe_object_id=charge_id, stripe_object_type="charge",
                       kind="payment")  # fmt: skip
    if held.done is not None:
        return held.done
    try:
        order_no = await _invoice_order_no(ctx, invoice_no)
        if order_no is not None:
            await _add_payment_once(ctx, charge, order_no)
    except Exception:
        await release(ctx, held)
        raise
    customer = str(meta.get("p21_customer_id") or "").strip() or None
    details = {"target": "invoice", "p21_invoice_no": invoice_no, "p21_order_no": order_no,
               "payment": {"amount": str(mapping.payment_row(charge, ctx.mapping).amount),
                           "reference": charge_id}}  # fmt: skip
    link = await _finish(ctx, held, charge, document=invoice_no, customer=customer,
                         details=details)  # fmt: skip
    if order_no is None:
        ctx.log.warning("invoice_payment_without_p21_surface", charge=charge_id,
                        invoice_no=invoice_no)  # fmt: skip
    return link


async def sync_charge(ctx: HandlerContext, charge: Charge) -> SyncLink | None:
    """The P21 effect of a re-fetched charge, created at most once; None when it has none."""
    route, why = mapping.route_charge(charge)
    if route == "skip":
        ctx.log.info("charge_not_documented", charge=charge.get("id"), why=why)
        return None
    if route == "billing":
        from stripe_p21.pipeline.sync.billing import sync_invoice_charge

        return await sync_invoice_charge(ctx, charge)
    if route == "order_payment":
        return await _pay_order(ctx, charge)
    if route == "invoice_payment":
        return await _pay_invoice(ctx, charge)
    return await _create_order(ctx, charge)


async def ensure_charge_synced(ctx: HandlerContext, charge_id: str) -> SyncLink | None:
    """The link of a charge's P21 document, syncing the charge first when needed (the refund
    flow calls it when a refund arrives before its charge). None: the charge has no document
    (failed, pending, blocked). Safe to call any number of times."""
    for kind in ("order", "payment"):
        link = await settled_link(ctx, charge_id, kind)
        if link is not None:
            return link
    charge = await ctx.stripe.retrieve_charge(charge_id)
    return await sync_charge(ctx, charge)
