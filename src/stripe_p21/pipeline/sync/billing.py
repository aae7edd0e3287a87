"""Billing flow: paid Stripe invoices become P21 sales orders with their payment; failed
payments and subscriptions reach P21 and the review queue.

Decisions (ADR-ish, because people will ask):

- **One order per paid invoice, keyed by the charge that paid it** — `(ch_…, "order")`, the same
  key the order-to-cash flow uses, so `charge.succeeded`, `payment_intent.succeeded` and
  `invoice.paid` for one payment converge on one claim and one P21 order. A charge that pays an
  invoice is recognised by `charge.invoice` (older API versions) or its `stripe_invoice`
  metadata; an invoice names its charge through `invoice.charge`, `invoice.payments` or
  `invoice.payment_intent` when the API version has them. When `invoice.paid` cannot name the
  charge, the charge's own event creates the order.
- **Zero invoices (trials) create nothing in P21**: no money moved, nothing to fulfil or bill;
  the scenario's truth file expects no order for them.
- **Service period** of every line is written on its P21 order line as the line's extended
  description (`oe_line.extended_desc`, e.g. `Service 2026-11-01 to 2026-12-01`, company-local
  days; the Transaction API's `TP_ITEMS.items` `extended_desc` edit), and kept on the order's
  link (`details.service_period`, start and end apart) for deferred revenue.
- **Subscriptions** are represented minimally on the P21 customer: a note (or user-defined
  fields) written with `update_customer` extra fields, and a `(sub_…, "subscription")` link.
  A per-subscription watermark drops events older than the newest one applied, the state written
  is always the re-fetched one, and a link in status `cancelled` is terminal (Stripe never
  revives a cancelled subscription), so a late `customer.subscription.updated` can never bring
  a deleted subscription back.
"""

from __future__ import annotations

from typing import Any

from stripe_p21.connectors.p21.errors import P21RejectedError
from stripe_p21.connectors.p21.once import create_order_once
from stripe_p21.connectors.p21.schemas import CustomerChanges
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import NeedsReview
from stripe_p21.pipeline.mapping import billing as mapping
from stripe_p21.pipeline.mapping import orders as order_mapping
from stripe_p21.pipeline.sync.claims import claim, release, settle
from stripe_p21.pipeline.sync.customers import ensure_customer
from stripe_p21.pipeline.sync.links import find_link, record_link, set_status
from stripe_p21.pipeline.sync.payments import (
    customer_for,
    ensure_charge_synced,
    rejected,
    write_back_order,
)
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.pipeline.watermark import advance
from stripe_p21.review.service import ReviewRequest, raise_item

StripeDict = dict[str, Any]
CANCELLED = "cancelled"


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def charge_of(invoice: StripeDict) -> tuple[str | None, str | None]:
    """(charge id, payment intent id) the invoice names, in whatever shape its API version has."""
    charge = _id(invoice.get("charge"))
    intent = _id(invoice.get("payment_intent"))
    for entry in ((invoice.get("payments") or {}).get("data")) or []:
        payment = entry.get("payment") or {}
        charge = charge or _id(payment.get("charge"))
        intent = intent or _id(payment.get("payment_intent"))
    return charge, intent


async def _invoice_customer(ctx: HandlerContext, invoice: StripeDict, charge: StripeDict) -> Any:
    stripe_customer = _id(invoice.get("customer"))
    if stripe_customer is None:
        return await customer_for(ctx, charge)
    p21_id = await ensure_customer(ctx, stripe_customer)
    if p21_id is None:
        raise NeedsReview(
            f"invoice {invoice['id']}: customer {stripe_customer} has no P21 customer yet",
            queue="customer_match", reason="customer_unresolved",
            stripe_object_id=str(charge["id"]), evidence={"stripe_customer_id": stripe_customer},
        )  # fmt: skip
    return p21_id


async def _lines(ctx: HandlerContext, invoice: StripeDict) -> list[mapping.InvoiceLine]:
    wanted = mapping.requested_items(invoice)
    found = await ctx.p21.find_items(wanted) if wanted else {}
    known = [item.item_id for item in found.values() if not item.deleted]
    return mapping.invoice_lines(invoice, known, ctx.mapping)


async def sync_invoice_charge(ctx: HandlerContext, charge: StripeDict) -> SyncLink | None:
    """The order of the invoice a (re-fetched, succeeded) charge paid; created at most once."""
    invoice_id = order_mapping.invoice_of(charge)
    if invoice_id is None:
        return None
    charge_id = str(charge["id"])
    held = await claim(ctx, stripe_object_id=charge_id, stripe_object_type="charge", kind="order")
    if held.done is not None:
        return held.done
    try:
        invoice = await ctx.stripe.retrieve_invoice(invoice_id)
        customer_id = await _invoice_customer(ctx, invoice, charge)
        lines = await _lines(ctx, invoice)
        draft = mapping.invoice_order(invoice, charge, customer_id=customer_id, lines=lines,
                                      mapping=ctx.mapping)  # fmt: skip
        try:
            result = await create_order_once(ctx.p21, draft)
        except P21RejectedError as exc:
            raise rejected(exc, charge_id, draft) from exc
    except Exception:
        await release(ctx, held)
        raise
    order_no = result.order.order_no
    details = {
        "source": "subscription" if invoice.get("subscription") else "invoice",
        "stripe_invoice_id": invoice_id, "stripe_subscription_id": _id(invoice.get("subscription")),
        "service_period": mapping.service_periods(lines),
        "fields": order_mapping.field_table(draft, order_no, ctx.mapping),
    }  # fmt: skip
    async with ctx.sessions() as session, session.begin():
        link = await settle(
            session, ctx, held, stripe_object_type="charge", p21_document_no=order_no,
            p21_customer_id=customer_id, currency=str(charge["currency"]),
            amount_minor=order_mapping.amount_paid_minor(charge), details=details,
        )  # fmt: skip
    ctx.log.info("invoice_order_synced", invoice=invoice_id, charge=charge_id, order_no=order_no)
    await write_back_order(ctx, charge, {"p21_order_no": order_no,
                                         "p21_customer_id": str(customer_id)})  # fmt: skip
    return link


async def sync_paid_invoice(ctx: HandlerContext, invoice_id: str) -> str | None:
    """`invoice.paid`: the order of the charge that paid it (None = done; else a note)."""
    invoice = await ctx.stripe.retrieve_invoice(invoice_id)
    if invoice.get("status") != "paid":
        return f"invoice {invoice_id} is {invoice.get('status')!r}, not paid"
    if int(invoice.get("amount_paid") or 0) == 0:
        return "zero invoice (trial or fully credited): nothing to document in P21"
    charge_id, intent_id = charge_of(invoice)
    if charge_id is None and intent_id is not None:
        intent = await ctx.stripe.retrieve_payment_intent(intent_id)
        charge_id = _id(intent.get("latest_charge"))
    if charge_id is None:
        return "the invoice names no charge: the charge's own event creates the order"
    link = await ensure_charge_synced(ctx, charge_id)
    return None if link is not None else f"charge {charge_id} produced no P21 document"


async def invoice_payment_failed(ctx: HandlerContext, invoice_id: str) -> str | None:
    """A review item in `billing` unless the invoice has been paid since."""
    invoice = await ctx.stripe.retrieve_invoice(invoice_id)
    if invoice.get("status") == "paid":
        return "the invoice was paid after the failed attempt"
    request = ReviewRequest(
        queue="billing",
        reason="invoice_payment_failed",
        title=f"Payment of Stripe invoice {invoice.get('number') or invoice_id} failed",
        stripe_object_id=invoice_id,
        event_id=ctx.event.id,
        evidence={"stripe_subscription_id": _id(invoice.get("subscription")),
                  "stripe_customer_id": _id(invoice.get("customer")),
                  "amount_due": invoice.get("amount_due"), "currency": invoice.get("currency"),
                  "attempt_count": invoice.get("attempt_count")},
        links={"events": [ctx.event.id]},
    )  # fmt: skip
    async with ctx.sessions() as session, session.begin():
        await raise_item(session, request)
    return None


async def _still_fresh(ctx: HandlerContext, subscription_id: str) -> bool:
    async with ctx.sessions() as session, session.begin():
        return await advance(session, object_id=subscription_id, object_type="subscription",
                             created=ctx.created, event_id=ctx.event.id)  # fmt: skip


async def _ended(ctx: HandlerContext, subscription_id: str) -> bool:
    async with ctx.sessions() as session:
        link = await find_link(session, subscription_id, "subscription")
    return link is not None and link.status == CANCELLED


async def _record_subscription(
    ctx: HandlerContext, state: dict[str, Any], p21_customer: str
) -> None:
    status = CANCELLED if state["status"] in ("canceled", "incomplete_expired") else "open"
    async with ctx.sessions() as session, session.begin():
        link = await find_link(session, state["id"], "subscription")
        if link is None:
            await record_link(
                session, stripe_object_id=state["id"], stripe_object_type="subscription",
                kind="subscription", p21_document_no=p21_customer,
                mapping_version=ctx.mapping.version, event_id=ctx.event.id,
                p21_customer_id=p21_customer, status=status, details={"state": state},
            )  # fmt: skip
        elif link.status != CANCELLED:
            await set_status(session, link, status, state=state)


async def sync_subscription(ctx: HandlerContext, subscription_id: str) -> str | None:
    """`customer.subscription.*`: the re-fetched state onto the P21 customer, never backwards."""
    if not await _still_fresh(ctx, subscription_id):
        return "stale: a newer subscription event was applied already"
    if await _ended(ctx, subscription_id):
        return "the subscription was cancelled already: nothing brings it back"
    subscription = await ctx.stripe.retrieve_subscription(subscription_id)
    state = mapping.subscription_state(subscription)
    stripe_customer = _id(subscription.get("customer"))
    p21_customer = await ensure_customer(ctx, stripe_customer) if stripe_customer else None
    if p21_customer is None:
        return f"subscription {subscription_id}: its customer has no P21 customer yet"
    changes = CustomerChanges(extra=mapping.subscription_fields(state, ctx.mapping))
    try:
        await ctx.p21.update_customer(p21_customer, changes)
    except P21RejectedError as exc:
        raise rejected(exc, subscription_id, changes) from exc
    await _record_subscription(ctx, state, p21_customer)
    ctx.log.info("subscription_synced", subscription=subscription_id, status=state["status"])
    return None
