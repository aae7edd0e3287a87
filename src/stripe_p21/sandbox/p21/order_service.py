"""The sandbox's ``Order`` and ``RMA`` Transaction API services.

New orders get 7-digit numbers, after the seed's open orders; an ``order_no`` in the header makes
it a keyed update (add a payment, hold, release, cancel), of seeded and new orders alike. Item
rows are matched by the list's ``Keys`` — with no keys, a second row for the same item edits the
first, the line-collapse quirk of real P21. An item row's ``extended_desc`` (the line's free-text
extended description) is kept in ``oe_line.extended_desc``; more than 255 characters fail the
transaction.

``OrderService.invoice`` completes an order and writes its ``invoice_hdr`` row: what P21 does when
an order ships (``Shipping`` service). Only the sandbox's ``POST /api/v2/invoices`` alias uses it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from stripe_p21.sandbox.p21 import txn_common as t
from stripe_p21.sandbox.p21.seed import FIRST_ORDER_NO
from stripe_p21.sandbox.p21.store import Store, day_text, now_text

ORDER_FORM = "TABPAGE_1.order"
ITEMS = "TP_ITEMS.items"
REMITTANCES = "TP_REMITTANCES.remittances"
CARD_FORM = "TP_CCTRANSACTIONRESPONSE.cctransactionresponse"
HEADER_FIELDS = (
    "order_no", "customer_id", "ship_to_id", "contact_id", "po_no", "order_date",
    "requested_date", "taker", "sales_loc_id", "source_loc_id", "approved", "cancel_flag",
    "currency_id",
)  # fmt: skip
LINE_FIELDS = (
    "user_line_no", "oe_order_item_id", "unit_quantity", "unit_of_measure", "unit_price",
    "extended_desc",
)  # fmt: skip
EXTENDED_DESC_MAX = 255
"""Characters ``oe_line.extended_desc`` holds; a longer edit fails the transaction."""
PAYMENT_FIELDS = (
    "payment_type_id", "payment_amount", "payment_desc", "payment_date", "cc_authorized_number",
)  # fmt: skip
KNOWN_ELEMENTS = frozenset({ORDER_FORM, ITEMS, REMITTANCES, CARD_FORM})
FIRST_INVOICE_NO = 900_001
NOTHING_TO_INVOICE = "Order {0} has no lines to invoice"  # assumed


class OrderService:
    """Applies one ``Order``/``RMA`` transaction to the store; raises ``TxFailure``."""

    def __init__(self, store: Store, company_id: str, *, rma: bool) -> None:
        self.store = store
        self.company_id = company_id
        self.rma = rma

    def apply(self, transaction: dict[str, Any]) -> str:
        elements = t.element_map(transaction)
        for name in elements:
            if name not in KNOWN_ELEMENTS:
                raise t.TxFailure(f"DataElement {name} does not exist")  # assumed
        header_rows = t.rows_of(elements.get(ORDER_FORM)) or [[]]
        header = t.checked_fields(header_rows[0], HEADER_FIELDS, ORDER_FORM)
        order_no = header.pop("order_no", "").strip()
        if order_no:
            self._update_header(order_no, header)
        else:
            order_no = self._create_header(header)
        self._apply_lines(order_no, elements.get(ITEMS))
        self._apply_payments(order_no, elements.get(REMITTANCES), elements.get(CARD_FORM))
        return order_no

    def _customer(self, value: str) -> int:
        if not value.strip():
            raise t.TxFailure(t.CUSTOMER_REQUIRED)
        found = None
        if value.strip().isdigit():
            found = self.store.row(
                "SELECT customer_id FROM customer WHERE customer_id = ? AND company_id = ? "
                "AND delete_flag = 'N'",
                (int(value), self.company_id),
            )
        if found is None:
            raise t.TxFailure(t.CUSTOMER_INVALID.format(value))
        return int(found["customer_id"])

    def _open_day(self, name: str, value: str | None, default: date) -> str:
        day = default if not value else t.parse_day(name, value)
        period = self.store.period_for(self.company_id, day)
        if period is None:
            raise t.TxFailure(t.NO_PERIOD.format(day.isoformat()))
        if period["period_closed"] == "Y":
            month, year = period["period"], period["year_for_period"]
            raise t.TxFailure(t.PERIOD_CLOSED.format(day.isoformat(), month, year))
        return day_text(day)

    def _create_header(self, header: dict[str, str]) -> str:
        customer_id = self._customer(header.get("customer_id", ""))
        today = date.fromisoformat(now_text()[:10])
        order_date = self._open_day("order_date", header.get("order_date"), today)
        requested = header.get("requested_date")
        order_no = f"{self.store.next_number('order_no', FIRST_ORDER_NO):07d}"
        stamp = now_text()
        self.store.insert("oe_hdr", {
            "order_no": order_no, "company_id": self.company_id, "customer_id": customer_id,
            "ship_to_id": self._number("ship_to_id", header.get("ship_to_id") or str(customer_id)),
            "contact_id": header.get("contact_id"), "po_no": header.get("po_no"),
            "order_date": order_date,
            "requested_date": day_text(t.parse_day("requested_date", requested))
            if requested else order_date,
            "taker": header.get("taker") or "API",
            "currency_id": header.get("currency_id") or "USD",
            "sales_loc_id": self._number("sales_loc_id", header.get("sales_loc_id") or "10"),
            "source_loc_id": self._number("source_loc_id", header.get("source_loc_id") or "10"),
            "approved": t.parse_flag("approved", header.get("approved") or "Y"),
            "cancel_flag": t.parse_flag("cancel_flag", header.get("cancel_flag") or "N"),
            "rma_flag": "Y" if self.rma else "N", "completed": "N",
            "date_created": stamp, "date_last_modified": stamp,
        })  # fmt: skip
        self.store.written("rma" if self.rma else "order", order_no, "created")
        return order_no

    @staticmethod
    def _number(name: str, value: str) -> int:
        if not value.strip().isdigit():
            raise t.TxFailure(t.BAD_VALUE.format(name, value))
        return int(value)

    def _update_header(self, order_no: str, header: dict[str, str]) -> None:
        order = self.store.row("SELECT * FROM oe_hdr WHERE order_no = ?", (order_no,))
        if order is None:
            raise t.TxFailure(t.ORDER_NOT_FOUND.format(order_no))
        if "customer_id" in header and header["customer_id"] != str(order["customer_id"]):
            raise t.TxFailure(t.COLUMN_DISABLED.format("customer_id"))
        changes: dict[str, Any] = {"date_last_modified": now_text()}
        for name in ("approved", "cancel_flag"):
            if name in header:
                changes[name] = t.parse_flag(name, header[name])
        for name in ("po_no", "taker", "contact_id"):
            if name in header:
                changes[name] = header[name]
        self.store.update("oe_hdr", {"order_no": order_no}, changes)
        action = {"cancel_flag": "cancelled", "approved": "hold/release"}
        done = [action[k] for k in action if k in changes] or ["updated"]
        self.store.written("rma" if order["rma_flag"] == "Y" else "order", order_no, done[0])

    def _lines(self, order_no: str) -> list[dict[str, Any]]:
        return self.store.rows(
            "SELECT * FROM oe_line WHERE order_no = ? ORDER BY line_no", (order_no,)
        )

    def _match(
        self, lines: list[dict[str, Any]], keys: list[str], row: dict[str, str]
    ) -> dict[str, Any] | None:
        column = {"user_line_no": "user_line_no", "oe_order_item_id": "item_id"}
        wanted = [k for k in keys if k in column] or ["oe_order_item_id"]
        for line in lines:
            if all(k in row and str(line[column[k]]) == row[k] for k in wanted):
                return line
        return None

    def _apply_lines(self, order_no: str, element: dict[str, Any] | None) -> None:
        keys = [str(k) for k in (element or {}).get("Keys") or []]
        for edits in t.rows_of(element):
            row = t.checked_fields(edits, LINE_FIELDS, ITEMS)
            existing = self._match(self._lines(order_no), keys, row)
            if existing is None:
                self._insert_line(order_no, row)
            else:
                self._update_line(existing, row)

    def _quantity(self, value: str) -> Decimal:
        quantity = t.parse_decimal("unit_quantity", value or "1")
        if quantity <= 0:
            raise t.TxFailure(t.BAD_VALUE.format("unit_quantity", value))
        return quantity

    def _insert_line(self, order_no: str, row: dict[str, str]) -> None:
        item_id = row.get("oe_order_item_id", "").strip()
        if not item_id:
            raise t.TxFailure(t.ITEM_REQUIRED)
        item = self.store.row(
            "SELECT * FROM inv_mast WHERE item_id = ? COLLATE NOCASE AND delete_flag = 'N'",
            (item_id,),
        )
        if item is None:
            raise t.TxFailure(t.ITEM_INVALID.format(item_id))
        quantity = self._quantity(row.get("unit_quantity", "1"))
        price = t.parse_decimal("unit_price", row.get("unit_price") or item["list_price"])
        text = self._extended_desc(row.get("extended_desc", ""))
        line_no = len(self._lines(order_no)) + 1
        self.store.insert("oe_line", {
            "order_no": order_no, "line_no": line_no, "item_id": item["item_id"],
            "qty_ordered": f"{quantity:f}", "unit_price": t.money_text(price),
            "extended_price": t.money_text(quantity * price),
            "unit_of_measure": row.get("unit_of_measure") or item["default_selling_unit"],
            "user_line_no": row.get("user_line_no") or str(line_no), "delete_flag": "N",
            "date_created": now_text(), "extended_desc": text,
        })  # fmt: skip

    @staticmethod
    def _extended_desc(value: str) -> str | None:
        return t.parse_text("extended_desc", value, EXTENDED_DESC_MAX)

    def _update_line(self, line: dict[str, Any], row: dict[str, str]) -> None:
        quantity = Decimal(line["qty_ordered"])
        price = Decimal(line["unit_price"])
        if "unit_quantity" in row:
            quantity = self._quantity(row["unit_quantity"])
        if row.get("unit_price"):
            price = t.parse_decimal("unit_price", row["unit_price"])
        changes: dict[str, Any] = {
            "qty_ordered": f"{quantity:f}",
            "unit_price": t.money_text(price),
            "extended_price": t.money_text(quantity * price),
        }
        if "extended_desc" in row:
            changes["extended_desc"] = self._extended_desc(row["extended_desc"])
        self.store.update(
            "oe_line", {"order_no": line["order_no"], "line_no": line["line_no"]}, changes
        )

    def _apply_payments(
        self, order_no: str, element: dict[str, Any] | None, card: dict[str, Any] | None
    ) -> None:
        card_rows = t.rows_of(card)
        authorization = dict(card_rows[0]).get("authorization_number") if card_rows else None
        order = self.store.row("SELECT customer_id FROM oe_hdr WHERE order_no = ?", (order_no,))
        for edits in t.rows_of(element):
            row = t.checked_fields(edits, PAYMENT_FIELDS, REMITTANCES)
            if not row.get("payment_type_id"):
                raise t.TxFailure("Payment Type is required")  # assumed
            amount = t.parse_decimal("payment_amount", row.get("payment_amount", ""))
            paid = row.get("payment_date")
            self.store.insert("ar_payment_details", {
                "order_no": order_no, "customer_id": (order or {}).get("customer_id"),
                "payment_type_id": row["payment_type_id"], "payment_amount": t.money_text(amount),
                "payment_desc": row.get("payment_desc"),
                "payment_date": day_text(t.parse_day("payment_date", paid)) if paid else now_text(),
                "cc_authorized_number": row.get("cc_authorized_number") or authorization,
                "date_created": now_text(),
            })  # fmt: skip
            self.store.written("payment", order_no, "payment added")

    def invoice(self, order_no: str, invoice_date: str | None = None) -> str:
        """Complete the order and invoice it, as P21 does when it ships: an ``invoice_hdr`` row
        for the order's total, ``amount_paid`` = its remittances (``paid_in_full_flag`` when they
        cover the total). ``invoice_date`` defaults to the order date; it must be in an open
        period. Returns the new invoice number (after the highest one the store has)."""
        order = self.store.row("SELECT * FROM oe_hdr WHERE order_no = ?", (order_no,))
        if order is None:
            raise t.TxFailure(t.ORDER_NOT_FOUND.format(order_no))
        lines = self._lines(order_no)
        if not lines:
            raise t.TxFailure(NOTHING_TO_INVOICE.format(order_no))
        ordered = date.fromisoformat(str(order["order_date"])[:10])
        day = self._open_day("invoice_date", invoice_date, ordered)
        total = sum((Decimal(ln["extended_price"]) for ln in lines), Decimal("0.00"))
        payments = self.store.rows(
            "SELECT payment_amount FROM ar_payment_details WHERE order_no = ?", (order_no,)
        )
        paid = sum((Decimal(p["payment_amount"]) for p in payments), Decimal("0.00"))
        highest = self.store.row("SELECT MAX(CAST(invoice_no AS INTEGER)) AS n FROM invoice_hdr")
        first = int((highest or {}).get("n") or FIRST_INVOICE_NO - 1) + 1
        invoice_no = str(self.store.next_number("invoice_no", first))
        stamp = now_text()
        self.store.update("oe_hdr", {"order_no": order_no},
                          {"completed": "Y", "date_last_modified": stamp})  # fmt: skip
        self.store.insert("invoice_hdr", {
            "invoice_no": invoice_no, "order_no": order_no,
            "customer_id": str(order["customer_id"]), "invoice_date": day,
            "total_amount": t.money_text(total), "amount_paid": t.money_text(paid),
            "paid_in_full_flag": "Y" if paid >= total else "N", "invoice_type": "IN",
            "company_no": self.company_id, "date_last_modified": stamp,
        })  # fmt: skip
        self.store.written("invoice", invoice_no, "invoiced")
        return invoice_no
