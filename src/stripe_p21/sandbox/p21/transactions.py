"""The sandbox's Transaction API: ``POST /uiserver0/api/v2/transaction`` and ``.../get``.

Reproduces what breaks naive clients: HTTP 200 with ``Summary.Failed`` and ``Transaction N::``
messages, independent transactions in one POST, ``Status: "Existing"`` → 500, unknown service →
500 with an empty body, unparsable body → 400 "The content field is required.".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21 import txn_common as t
from stripe_p21.sandbox.p21.order_service import (
    ITEMS,
    ORDER_FORM,
    REMITTANCES,
    OrderService,
)
from stripe_p21.sandbox.p21.store import Store
from stripe_p21.sandbox.p21.wire import P21Failure, content_required

CUSTOMER_FORM = "TABPAGE_1.customer"
SERVICES = ("Order", "RMA", "Customer")


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise content_required()
    return body


def order_document(store: Store, order_no: str) -> list[dict[str, Any]]:
    """An order as the Transaction API shows it: header form, item list, remittance list."""
    header = store.row("SELECT * FROM oe_hdr WHERE order_no = ?", (order_no,)) or {}
    lines = store.rows("SELECT * FROM oe_line WHERE order_no = ? ORDER BY line_no", (order_no,))
    payments = store.rows(
        "SELECT * FROM ar_payment_details WHERE order_no = ? ORDER BY payment_uid", (order_no,)
    )
    fields = ("order_no", "customer_id", "ship_to_id", "po_no", "order_date", "taker")
    flags = ("approved", "cancel_flag", "rma_flag", "currency_id", "sales_loc_id")
    item_rows = [
        {"line_no": ln["line_no"], "user_line_no": ln["user_line_no"],
         "oe_order_item_id": ln["item_id"], "unit_quantity": ln["qty_ordered"],
         "unit_of_measure": ln["unit_of_measure"], "unit_price": ln["unit_price"],
         "extended_price": ln["extended_price"], "extended_desc": ln["extended_desc"]}
        for ln in lines
    ]  # fmt: skip
    pay_rows = [
        {k: p[k] for k in ("payment_type_id", "payment_amount", "payment_desc", "payment_date")}
        for p in payments
    ]
    return [
        t.form(ORDER_FORM, {k: header.get(k) for k in (*fields, *flags)}, keys=["order_no"]),
        t.listing(ITEMS, item_rows, keys=["user_line_no"]),
        t.listing(REMITTANCES, pay_rows),
    ]


class TransactionEngine:
    """Runs transaction sets against the store for one company."""

    def __init__(self, store: Store, company_id: str) -> None:
        self.store = store
        self.company_id = company_id
        self._services: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
            "Order": lambda tx: self._order(tx, rma=False),
            "RMA": lambda tx: self._order(tx, rma=True),
            "Customer": self._customer,
        }

    def run(self, raw: bytes) -> dict[str, Any]:
        body = parse_body(raw)
        name = body.get("Name")
        transactions = body.get("Transactions")
        if not isinstance(name, str) or name not in self._services:
            raise P21Failure(500, empty=True)
        if not isinstance(transactions, list) or not transactions:
            raise content_required()
        if any(isinstance(tx, dict) and tx.get("Status") == "Existing" for tx in transactions):
            message = "Object reference not set to an instance of an object."
            raise P21Failure(500, message, "System.NullReferenceException")
        return self._run_all(name, transactions)

    def _run_all(self, name: str, transactions: list[Any]) -> dict[str, Any]:
        results, messages = [], []
        for index, tx in enumerate(transactions, start=1):
            try:
                if not isinstance(tx, dict) or tx.get("Status") != "New":
                    raise t.TxFailure("Transaction Status must be New")  # assumed
                with self.store.transaction():
                    elements = self._services[name](tx)
                results.append({"Status": "Passed", "DataElements": elements})
            except t.TxFailure as failure:
                messages.append(f"Transaction {index}:: {failure.message}")
                echo = tx.get("DataElements", []) if isinstance(tx, dict) else []
                results.append({"Status": "Failed", "DataElements": echo})
        failed = sum(1 for r in results if r["Status"] == "Failed")
        return {
            "Messages": messages,
            "Results": {"Name": name, "Transactions": results},
            "Summary": {"Succeeded": len(results) - failed, "Failed": failed, "Other": 0},
        }

    def _order(self, tx: dict[str, Any], *, rma: bool) -> list[dict[str, Any]]:
        order_no = OrderService(self.store, self.company_id, rma=rma).apply(tx)
        return order_document(self.store, order_no)

    def _customer(self, tx: dict[str, Any]) -> list[dict[str, Any]]:
        rows = t.rows_of(t.element_map(tx).get(CUSTOMER_FORM)) or [[]]
        allowed = {"customer_id", *customers.EDITABLE}
        values: dict[str, Any] = t.checked_fields(rows[0], allowed, CUSTOMER_FORM)
        wanted = values.pop("customer_id", None)
        try:
            if wanted and customers.get(self.store, self.company_id, int(wanted)) is not None:
                customer_id = int(wanted)
                customers.update(self.store, self.company_id, customer_id, values)
            else:
                customer_id = customers.create(self.store, self.company_id, values, wanted)
        except (P21Failure, ValueError) as exc:
            raise t.TxFailure(str(exc)) from exc
        row = customers.get(self.store, self.company_id, customer_id) or {}
        shown = {"customer_id": customer_id, **{k: row.get(k) for k in sorted(allowed)}}
        return [t.form(CUSTOMER_FORM, shown, keys=["customer_id"])]

    def get(self, raw: bytes) -> dict[str, Any]:
        """``transaction/get``: documents by key, in the shape a transaction answer has."""
        body = parse_body(raw)
        if body.get("ServiceName") not in self._services:
            raise P21Failure(500, empty=True)
        found = []
        for state in body.get("TransactionStates") or []:
            keys = {k.get("Name"): str(k.get("Value")) for k in state.get("Keys") or []}
            order_no = keys.get("order_no", "")
            if self.store.row("SELECT 1 FROM oe_hdr WHERE order_no = ?", (order_no,)):
                found.append(
                    {"Status": "Passed", "DataElements": order_document(self.store, order_no)}
                )
        return {"Messages": [], "Transactions": found}
