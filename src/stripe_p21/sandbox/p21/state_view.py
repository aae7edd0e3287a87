"""What ``GET /sandbox/state`` shows: everything written through the API, plus counters.

The demo, the tests and people look here to see the ERP side: customers, orders with lines and
payments, RMAs and GL entries written since the store was created, as JSON or a plain HTML page.
An order written to (created, paid, held, released, cancelled) is listed under ``orders``; the
seed's open orders are listed under ``seeded_orders`` with their total and what has been paid,
and the seed's invoices under ``invoices`` with the order each came from (``OrderNo``).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21 import ledger
from stripe_p21.sandbox.p21.routes_sales import sales_order_view
from stripe_p21.sandbox.p21.runtime import Sandbox
from stripe_p21.sandbox.p21.store import SEEDED_ORDER

LIMIT = 200


def _keys(sandbox: Sandbox, kind: str) -> list[str]:
    rows = sandbox.store.rows(
        "SELECT doc_key, MAX(seq) AS last FROM sandbox_written WHERE kind = ? "
        "GROUP BY doc_key ORDER BY last DESC LIMIT ?",
        (kind, LIMIT),
    )
    return [row["doc_key"] for row in rows]


def _order_keys(sandbox: Sandbox, kind: str, rma: str) -> list[str]:
    """Orders (or RMAs) written through the API, including those that only got a payment."""
    rows = sandbox.store.rows(
        "SELECT w.doc_key, MAX(w.seq) AS last FROM sandbox_written w "
        "JOIN oe_hdr h ON h.order_no = w.doc_key "
        "WHERE w.kind IN (?, 'payment') AND h.rma_flag = ? "
        "GROUP BY w.doc_key ORDER BY last DESC LIMIT ?",
        (kind, rma, LIMIT),
    )
    return [row["doc_key"] for row in rows]


def _sums(sandbox: Sandbox, sql: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in sandbox.store.rows(sql, (SEEDED_ORDER,)):
        totals[row["order_no"]] = totals.get(row["order_no"], Decimal("0.00")) + Decimal(
            row["amount"]
        )
    return totals


_SEEDED_TOTALS = (
    "SELECT order_no, extended_price AS amount FROM oe_line WHERE order_no IN "
    "(SELECT doc_key FROM sandbox_written WHERE kind = ?)"
)
_SEEDED_PAID = (
    "SELECT order_no, payment_amount AS amount FROM ar_payment_details WHERE order_no IN "
    "(SELECT doc_key FROM sandbox_written WHERE kind = ?)"
)
_SEEDED_HEADERS = (
    "SELECT * FROM oe_hdr WHERE order_no IN "
    "(SELECT doc_key FROM sandbox_written WHERE kind = ?) ORDER BY order_no"
)


def _seeded_orders(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The seed's open orders as they stand now: total of the lines and payments so far."""
    totals, paid = _sums(sandbox, _SEEDED_TOTALS), _sums(sandbox, _SEEDED_PAID)
    return [
        {"OrderNo": h["order_no"], "CustomerId": h["customer_id"], "PoNo": h["po_no"],
         "OrderDate": h["order_date"], "Approved": h["approved"],
         "CancelFlag": h["cancel_flag"], "Total": f"{totals.get(h['order_no'], 0):.2f}",
         "Paid": f"{paid.get(h['order_no'], 0):.2f}"}
        for h in sandbox.store.rows(_SEEDED_HEADERS, (SEEDED_ORDER,))
    ]  # fmt: skip


_INVOICES = (
    "SELECT invoice_no, order_no, customer_id, invoice_date, total_amount, amount_paid, "
    "paid_in_full_flag FROM invoice_hdr ORDER BY invoice_no"
)


def invoices(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every invoice with the order P21 invoiced (where a payment of the invoice goes)."""
    return [
        {"InvoiceNo": r["invoice_no"], "OrderNo": r["order_no"], "CustomerId": r["customer_id"],
         "InvoiceDate": r["invoice_date"], "TotalAmount": r["total_amount"],
         "AmountPaid": r["amount_paid"], "PaidInFullFlag": r["paid_in_full_flag"]}
        for r in sandbox.store.rows(_INVOICES)
    ]  # fmt: skip


def _count(sandbox: Sandbox, sql: str) -> int:
    row = sandbox.store.row(sql)
    return int((row or {}).get("n", 0))


def state(sandbox: Sandbox, *, dropped: int, injected: int) -> dict[str, Any]:
    company = sandbox.config.company_id
    seeded = _seeded_orders(sandbox)
    written_customers = [
        customers.entity_view(row)
        for key in _keys(sandbox, "customer")
        if (row := customers.get(sandbox.store, company, int(key))) is not None
    ]
    return {
        "company_id": company,
        "seed": sandbox.config.seed,
        "started_at": sandbox.started_at,
        "tokens": {"issued": sandbox.tokens.issued, "live": sandbox.tokens.live},
        "stats": dict(sandbox.stats),
        "faults": {**sandbox.config.faults.to_dict(), "dropped": dropped, "injected": injected},
        "counts": {
            "customers": _count(sandbox, "SELECT COUNT(*) AS n FROM customer"),
            "items": _count(sandbox, "SELECT COUNT(*) AS n FROM inv_mast"),
            "orders": _count(sandbox, "SELECT COUNT(*) AS n FROM oe_hdr WHERE rma_flag = 'N'"),
            "rmas": _count(sandbox, "SELECT COUNT(*) AS n FROM oe_hdr WHERE rma_flag = 'Y'"),
            "seeded_orders": len(seeded),
            "invoices": _count(sandbox, "SELECT COUNT(*) AS n FROM invoice_hdr"),
            "gl_entries": _count(sandbox, "SELECT COUNT(DISTINCT transaction_number) AS n FROM gl"),
        },
        "customers": written_customers,
        "orders": [sales_order_view(sandbox.store, k) for k in _order_keys(sandbox, "order", "N")],
        "rmas": [sales_order_view(sandbox.store, k) for k in _order_keys(sandbox, "rma", "Y")],
        "seeded_orders": seeded,
        "invoices": invoices(sandbox),
        "gl_entries": [
            {"TransactionNumber": k, "Lines": ledger.entry(sandbox.store, k)}
            for k in _keys(sandbox, "gl")
        ],
    }


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "<p><em>none yet</em></p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "list" in value:
        return "; ".join(
            " ".join(str(v) for k, v in item.items() if k not in ("LineNo",) and v is not None)
            for item in value["list"]
        )
    return "" if value is None else str(value)


def render_html(data: dict[str, Any]) -> str:
    """A plain page of the same data, readable without tools."""
    order_cols = ["OrderNo", "CustomerId", "PoNo", "Approved", "CancelFlag", "Lines", "Payments"]
    gl_rows = [
        {**line, "TransactionNumber": entry["TransactionNumber"]}
        for entry in data["gl_entries"]
        for line in entry["Lines"]
    ]
    sections = [
        ("Counts", _table([data["counts"]], list(data["counts"]))),
        ("Tokens and faults", _table([{**data["tokens"], **data["stats"]}],
                                     [*data["tokens"], *data["stats"]])),
        ("Customers written", _table(data["customers"],
                                     ["CustomerId", "CustomerName", "EmailAddress", "TermsId"])),
        ("Orders", _table(data["orders"], order_cols)),
        ("RMAs (credit memos)", _table(data["rmas"], order_cols)),
        ("Open orders from the seed", _table(data["seeded_orders"],
                                             ["OrderNo", "CustomerId", "PoNo", "OrderDate",
                                              "Approved", "CancelFlag", "Total", "Paid"])),
        ("Open invoices from the seed", _table(
            [i for i in data["invoices"] if i["PaidInFullFlag"] != "Y"],
            ["InvoiceNo", "OrderNo", "CustomerId", "InvoiceDate", "TotalAmount", "AmountPaid"])),
        ("GL entries", _table(gl_rows, ["TransactionNumber", "AccountNumber", "Period",
                                        "YearForPeriod", "Amount", "Description"])),
    ]  # fmt: skip
    body = "".join(f"<h2>{escape(title)}</h2>{html}" for title, html in sections)
    style = "body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:2px 6px}"
    title = f"P21 sandbox — company {escape(str(data['company_id']))}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body><h1>{title}</h1>{body}</body></html>"
    )
