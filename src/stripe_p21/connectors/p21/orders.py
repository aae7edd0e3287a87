"""Order capabilities: create orders and RMAs, add payments, hold/release/cancel, read them back.

Writes go through the Transaction API on the UI server (``Order`` and ``RMA`` services) and are
never retried by the client; reads use the sales-order REST family and OData ``oe_hdr``.
"""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.errors import P21RejectedError
from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.odata import flag, parse_datetime, query_table, quote, to_int
from stripe_p21.connectors.p21.schemas import (
    OrderDraft,
    OrderLineRecord,
    OrderRef,
    OrderSummary,
    P21Order,
    Payment,
)
from stripe_p21.connectors.p21.transaction import (
    ORDER_FORM,
    TransactionOutcome,
    build_add_payment,
    build_order,
    build_order_flags,
    read_outcome,
)

TRANSACTION_PATH = "/api/v2/transaction"
SALES_ORDERS_PATH = "/api/sales/orders/"
ORDER_COLUMNS = ("order_no", "customer_id", "po_no", "order_date", "rma_flag", "cancel_flag")


def order_from_rest(data: dict[str, Any]) -> P21Order:
    lines = (data.get("Lines") or {}).get("list") or []
    return P21Order(
        order_no=str(data["OrderNo"]),
        customer_id=to_int(data.get("CustomerId")),
        po_no=data.get("PoNo"),
        approved=flag(data.get("Approved")),
        cancelled=flag(data.get("CancelFlag")),
        rma=flag(data.get("RmaFlag")),
        lines=tuple(
            OrderLineRecord(
                line_no=int(line["LineNo"]),
                item_id=str(line["ItemId"]),
                quantity=Decimal(str(line["QtyOrdered"])),
                unit_price=Decimal(str(line["UnitPrice"])),
                extended_price=Decimal(str(line["ExtendedPrice"])),
                extended_desc=str(line["ExtendedDesc"]) if line.get("ExtendedDesc") else None,
            )
            for line in lines
        ),
        raw=data,
    )


class OrderOps:
    """Mixed into ``P21Client``; needs ``_http`` and ``server_tz``."""

    _http: P21Http
    server_tz: tzinfo

    async def submit_transaction(self, body: dict[str, Any]) -> TransactionOutcome:
        """POST a transaction set; a ``Failed`` transaction raises even though HTTP said 200."""
        answer = await self._http.request_json(
            "POST", TRANSACTION_PATH, ui=True, write=True, json=body
        )
        return read_outcome(answer, path=TRANSACTION_PATH)

    async def _create(self, draft: OrderDraft, service: str) -> OrderRef:
        outcome = await self.submit_transaction(build_order(draft, service=service))
        order_no = outcome.value(ORDER_FORM, "order_no")
        if order_no is None:
            raise P21RejectedError(f"{service} passed but P21 returned no order_no")
        return OrderRef(order_no=order_no, po_no=draft.po_no)

    async def create_order(self, draft: OrderDraft) -> OrderRef:
        """A sales order with lines and, when given, its payment row. Not retried: see
        ``create_order_once`` for the lookup-before-retry path."""
        return await self._create(draft, "Order")

    async def create_rma(self, draft: OrderDraft) -> OrderRef:
        """A return (RMA order): how a credit memo enters P21."""
        return await self._create(draft, "RMA")

    async def add_payment(self, order_no: str, payment: Payment) -> None:
        await self.submit_transaction(build_add_payment(order_no, payment))

    async def hold_order(self, order_no: str) -> None:
        await self.submit_transaction(build_order_flags(order_no, [("approved", "N")]))

    async def release_order(self, order_no: str) -> None:
        await self.submit_transaction(build_order_flags(order_no, [("approved", "Y")]))

    async def cancel_order(self, order_no: str) -> None:
        await self.submit_transaction(build_order_flags(order_no, [("cancel_flag", "Y")]))

    async def get_order(self, order_no: str) -> P21Order:
        """Header and lines, or ``P21NotFound``."""
        data = await self._http.request_json("GET", SALES_ORDERS_PATH + order_no)
        return order_from_rest(data)

    async def find_orders_by_reference(self, po_no: str) -> list[OrderSummary]:
        """Orders (and RMAs) whose ``po_no`` holds this Stripe reference."""
        rows = await query_table(
            self._http,
            "oe_hdr",
            where=f"po_no eq {quote(po_no)}",
            select=(*ORDER_COLUMNS, "approved"),
            orderby="order_no",
        )
        return [self._summary(row) for row in rows]

    def _summary(self, row: dict[str, Any]) -> OrderSummary:
        return OrderSummary(
            order_no=str(row["order_no"]),
            customer_id=to_int(row.get("customer_id")),
            po_no=row.get("po_no"),
            order_date=parse_datetime(row.get("order_date"), self.server_tz),
            rma=flag(row.get("rma_flag")),
            cancelled=flag(row.get("cancel_flag")),
            approved=flag(row.get("approved")),
        )
