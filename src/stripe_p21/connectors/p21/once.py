"""Lookup-before-retry: create a P21 order (or a direct invoice) at most once per Stripe reference.

P21 has no idempotency keys. The Stripe id goes into ``po_no``; before creating we look for it,
and when the create's answer is lost (``P21OutcomeUnknown``) we look again instead of re-sending.
See docs/adr/0101-p21-no-blind-write-retries.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from stripe_p21.connectors.p21.errors import P21OutcomeUnknown
from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.connectors.p21.schemas import InvoiceRef, OrderDraft, OrderRef, OrderSummary

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OnceResult:
    """The order for the reference, and whether this call created it."""

    order: OrderRef
    created: bool


def _pick(found: list[OrderSummary], *, rma: bool) -> OrderRef | None:
    matching = [o for o in found if o.rma == rma and not o.cancelled] or [
        o for o in found if o.rma == rma
    ]
    if not matching:
        return None
    first = min(matching, key=lambda o: o.order_no)
    return OrderRef(order_no=first.order_no, po_no=first.po_no)


async def create_order_once(p21: P21Gateway, draft: OrderDraft, *, rma: bool = False) -> OnceResult:
    """Find the order whose ``po_no`` is ``draft.po_no``; create it only when there is none.

    When the create's answer is lost, look it up once more: found → return it; still missing →
    re-raise ``P21OutcomeUnknown`` so the job retries later (and looks up first again).
    """
    existing = _pick(await p21.find_orders_by_reference(draft.po_no), rma=rma)
    if existing is not None:
        return OnceResult(existing, created=False)
    try:
        created = await (p21.create_rma(draft) if rma else p21.create_order(draft))
    except P21OutcomeUnknown:
        log.warning("p21.order.outcome_unknown", po_no=draft.po_no, rma=rma)
        found = _pick(await p21.find_orders_by_reference(draft.po_no), rma=rma)
        if found is None:
            raise
        return OnceResult(found, created=True)
    return OnceResult(created, created=True)


@dataclass(frozen=True)
class InvoiceOnceResult:
    """The direct invoice for the reference, and whether this call created it."""

    invoice: InvoiceRef
    created: bool


async def _invoice_of(p21: P21Gateway, po_no: str) -> InvoiceRef | None:
    """The order for ``po_no`` and the invoice P21 made of it (``invoice_no`` None: not yet)."""
    order = _pick(await p21.find_orders_by_reference(po_no), rma=False)
    if order is None:
        return None
    invoice = await p21.find_invoice_for_order(order.order_no)
    return InvoiceRef(invoice.invoice_no if invoice else None, order.order_no)


async def create_direct_invoice_once(p21: P21Gateway, draft: OrderDraft) -> InvoiceOnceResult:
    """Find the order whose ``po_no`` is ``draft.po_no`` (and its ``invoice_hdr`` row by
    ``order_no``); create the direct invoice only when there is no order at all.

    An order that exists without an invoice is returned as it is (``invoice_no`` None) — never a
    second document for one reference. When the create's answer is lost, look again: found →
    return it; still missing → re-raise ``P21OutcomeUnknown`` so the job retries later (and looks
    up first again). ``create_direct_invoice`` uses the sandbox's alias: see its docstring.
    """
    existing = await _invoice_of(p21, draft.po_no)
    if existing is not None:
        return InvoiceOnceResult(existing, created=False)
    try:
        created = await p21.create_direct_invoice(draft)
    except P21OutcomeUnknown:
        log.warning("p21.direct_invoice.outcome_unknown", po_no=draft.po_no)
        found = await _invoice_of(p21, draft.po_no)
        if found is None:
            raise
        return InvoiceOnceResult(found, created=True)
    return InvoiceOnceResult(created, created=True)
