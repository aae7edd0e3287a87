"""The P21 sandbox's state for the check, read from its store: the shape of `GET /sandbox/state`
without its 200-row list limit, plus the raw payment rows and created customers; ``invoices``
(``InvoiceNo`` → ``OrderNo``) tells the check which order an invoice's payment belongs on."""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.p21 import customer_records, ledger
from stripe_p21.sandbox.p21.routes_sales import sales_order_view
from stripe_p21.sandbox.p21.runtime import Sandbox
from stripe_p21.sandbox.p21.state_view import invoices
from stripe_p21.sandbox.p21.store import SEEDED_ORDER

_WRITTEN_ORDERS = (
    "SELECT DISTINCT w.doc_key FROM sandbox_written w JOIN oe_hdr h ON h.order_no = w.doc_key "
    "WHERE w.kind IN (?, 'payment') AND h.rma_flag = ? ORDER BY w.doc_key"
)


def _keys(sandbox: Sandbox, kind: str, action: str | None = None) -> list[str]:
    sql = "SELECT DISTINCT doc_key FROM sandbox_written WHERE kind = ?"
    params: tuple[str, ...] = (kind,)
    if action is not None:
        sql, params = sql + " AND action = ?", (kind, action)
    return [str(row["doc_key"]) for row in sandbox.store.rows(sql + " ORDER BY doc_key", params)]


def _orders(sandbox: Sandbox, kind: str, rma: str) -> list[dict[str, Any]]:
    rows = sandbox.store.rows(_WRITTEN_ORDERS, (kind, rma))
    return [sales_order_view(sandbox.store, str(row["doc_key"])) for row in rows]


def _payments(sandbox: Sandbox) -> list[dict[str, Any]]:
    rows = sandbox.store.rows("SELECT * FROM ar_payment_details ORDER BY payment_uid")
    return [
        {
            "OrderNo": r["order_no"],
            "PaymentDesc": r["payment_desc"],
            "PaymentAmount": r["payment_amount"],
            "PaymentTypeId": r["payment_type_id"],
            "PaymentDate": r["payment_date"],
        }
        for r in rows
    ]


def _seeded_orders(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        {"OrderNo": order["OrderNo"], "CustomerId": order["CustomerId"]}
        for key in _keys(sandbox, SEEDED_ORDER)
        if (order := sales_order_view(sandbox.store, key))
    ]


def p21_state_of(sandbox: Sandbox) -> dict[str, Any]:
    """Everything the check compares, straight from an in-process sandbox."""
    company = sandbox.config.company_id
    written = [
        customer_records.entity_view(row)
        for key in _keys(sandbox, "customer")
        if (row := customer_records.get(sandbox.store, company, int(key))) is not None
    ]
    return {
        "company_id": company,
        "customers": written,
        "created_customer_ids": [int(k) for k in _keys(sandbox, "customer", "created")],
        "orders": _orders(sandbox, "order", "N"),
        "rmas": _orders(sandbox, "rma", "Y"),
        "seeded_orders": _seeded_orders(sandbox),
        "payments": _payments(sandbox),
        "invoices": invoices(sandbox),
        "gl_entries": [
            {"TransactionNumber": k, "Lines": ledger.entry(sandbox.store, k)}
            for k in _keys(sandbox, "gl")
        ],
    }
