"""Invoices: ``invoice_hdr`` reads through OData (by number, or by the order P21 invoiced), and
direct invoices through the sandbox's ``POST /api/v2/invoices`` alias.

P21 has no "create invoice" call: it invoices an order when the order ships (``Shipping``
service), and ``invoice_hdr`` keeps the ``order_no`` it came from. A payment of an invoice is
applied as a remittance on that order (the Transaction API ``Order`` service). The
``direct_invoice`` order mode creates order, payment and invoice in one call that only the
sandbox serves (marked ``X-Sandbox-Alias: true``); a real server needs the order, then
``Shipping``. See ``docs/p21.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.errors import P21NotFound, P21RejectedError
from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.odata import flag, query_table, quote, to_int
from stripe_p21.connectors.p21.schemas import (
    Invoice,
    InvoiceRef,
    OrderDraft,
    extended_desc_text,
    format_amount,
    format_quantity,
)

INVOICE_COLUMNS = (
    "invoice_no", "order_no", "customer_id", "total_amount", "amount_paid", "paid_in_full_flag",
)  # fmt: skip
DIRECT_INVOICE_PATH = "/api/v2/invoices"
"""The sandbox's alias (``X-Sandbox-Alias: true``); no real P21 server serves it."""
NO_DIRECT_INVOICE = (
    "this P21 server has no POST /api/v2/invoices (a sandbox alias): P21 invoices an order when "
    "it ships; use orders.mode sales_order"
)


def _present(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {name: value for name, value in pairs if value is not None}


def build_direct_invoice(draft: OrderDraft) -> dict[str, Any]:
    """The alias's body: the order as the sales-order REST family names it (PascalCase, money
    and quantities as P21's strings), the payment as one remittance, and ``HeaderEdits`` for the
    draft's extra header edits (user-defined fields), applied like the Transaction API's."""
    payment = draft.payment
    return _present([
        ("CustomerId", str(draft.customer_id)),
        ("PoNo", draft.po_no),
        ("OrderDate", draft.order_date.isoformat() if draft.order_date else None),
        ("RequestedDate", draft.requested_date.isoformat() if draft.requested_date else None),
        ("Taker", draft.taker),
        ("CurrencyId", draft.currency_id),
        ("SalesLocId", draft.location_id),
        ("SourceLocId", draft.location_id),
        ("HeaderEdits", [{"Name": n, "Value": v} for n, v in draft.extra_edits] or None),
        ("Lines", {"list": [
            _present([
                ("ItemId", line.item_id),
                ("QtyOrdered", format_quantity(line.quantity)),
                ("UnitPrice", None if line.unit_price is None else format_amount(line.unit_price)),
                ("UnitOfMeasure", line.unit_of_measure),
                ("ExtendedDesc", extended_desc_text(line.extended_desc)),
            ])
            for line in draft.lines
        ]}),
        ("Payment", None if payment is None else _present([
            ("PaymentTypeId", payment.payment_type_id),
            ("PaymentAmount", format_amount(payment.amount)),
            ("PaymentDesc", payment.reference),
            ("PaymentDate", payment.payment_date.isoformat() if payment.payment_date else None),
            ("CcAuthorizedNumber", payment.authorization_number),
        ])),
    ])  # fmt: skip


def invoice_ref_from_alias(data: Any) -> InvoiceRef:
    """``InvoiceNo`` and ``OrderNo`` of the alias's answer."""
    invoice_no = str((data or {}).get("InvoiceNo") or "").strip() if isinstance(data, dict) else ""
    order_no = str(data.get("OrderNo") or "").strip() if isinstance(data, dict) else ""
    if not invoice_no or not order_no:
        raise P21RejectedError(f"{DIRECT_INVOICE_PATH} answered without InvoiceNo/OrderNo")
    return InvoiceRef(invoice_no=invoice_no, order_no=order_no)


def _amount(value: object) -> Decimal:
    return Decimal("0") if value in (None, "") else Decimal(str(value))


def invoice_from_odata(row: dict[str, Any]) -> Invoice:
    """An ``Invoice`` from an OData ``invoice_hdr`` row (``customer_id`` is a string there)."""
    order_no = str(row.get("order_no") or "").strip()
    return Invoice(
        invoice_no=str(row["invoice_no"]).strip(),
        order_no=order_no or None,
        customer_id=to_int(row.get("customer_id")),
        total_amount=_amount(row.get("total_amount")),
        amount_paid=_amount(row.get("amount_paid")),
        paid_in_full=flag(row.get("paid_in_full_flag")),
    )


class InvoiceOps:
    """Mixed into ``P21Client``; needs ``_http``."""

    _http: P21Http

    async def find_invoice(self, invoice_no: str) -> Invoice | None:
        """The invoice with this number, or None when P21 has none."""
        wanted = invoice_no.strip()
        if not wanted:
            return None
        rows = await query_table(
            self._http,
            "invoice_hdr",
            where=f"invoice_no eq {quote(wanted)}",
            select=INVOICE_COLUMNS,
            top=1,
        )
        return invoice_from_odata(rows[0]) if rows else None

    async def find_invoice_for_order(self, order_no: str) -> Invoice | None:
        """The invoice P21 made of this order (``invoice_hdr.order_no``), or None while the order
        has not been invoiced. The lowest invoice number when there are several."""
        wanted = order_no.strip()
        if not wanted:
            return None
        rows = await query_table(
            self._http,
            "invoice_hdr",
            where=f"order_no eq {quote(wanted)}",
            select=INVOICE_COLUMNS,
            orderby="invoice_no",
            top=1,
        )
        return invoice_from_odata(rows[0]) if rows else None

    async def create_direct_invoice(self, draft: OrderDraft) -> InvoiceRef:
        """Invoice at payment: the sales order (lines, the payment as its remittance row), completed
        and invoiced in one call — **through the sandbox's ``POST /api/v2/invoices`` alias**
        (``X-Sandbox-Alias: true``).

        A real P21 server has no such call: it invoices an order when the order ships, so there
        this takes the order (``create_order``) and then the ``Shipping`` service, which the
        connector does not drive; on a real server the alias answers 404 and this raises
        ``P21RejectedError`` saying so (use ``orders.mode: sales_order`` there).

        A write, never retried: a lost answer raises ``P21OutcomeUnknown``; use
        ``create_direct_invoice_once`` for lookup-before-retry (``po_no`` carries the Stripe id).
        """
        try:
            answer = await self._http.request_json(
                "POST", DIRECT_INVOICE_PATH, write=True, json=build_direct_invoice(draft)
            )
        except P21NotFound as exc:
            raise P21RejectedError(
                NO_DIRECT_INVOICE, messages=(NO_DIRECT_INVOICE, exc.message),
                error_type=exc.error_type, status_code=exc.status_code, method=exc.method,
                path=exc.path,
            ) from exc  # fmt: skip
        return invoice_ref_from_alias(answer)
