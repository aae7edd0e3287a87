"""Invoice reads: an ``invoice_hdr`` row through OData, with the order P21 invoiced.

P21 has no "create invoice" call: it invoices an order when the order ships, and ``invoice_hdr``
keeps the ``order_no`` it came from. A payment of an invoice is applied as a remittance on that
order (the Transaction API ``Order`` service); see ``docs/p21.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.odata import flag, query_table, quote, to_int
from stripe_p21.connectors.p21.schemas import Invoice

INVOICE_COLUMNS = (
    "invoice_no", "order_no", "customer_id", "total_amount", "amount_paid", "paid_in_full_flag",
)  # fmt: skip


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
