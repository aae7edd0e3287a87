"""What ``GET /sandbox/state`` shows: everything written through the API, plus counters.

The demo, the tests and people look here to see the ERP side: customers, orders with lines and
payments, RMAs and GL entries written since the store was created, as JSON or a plain HTML page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21 import ledger
from stripe_p21.sandbox.p21.routes_sales import sales_order_view
from stripe_p21.sandbox.p21.runtime import Sandbox

LIMIT = 200


def _keys(sandbox: Sandbox, kind: str) -> list[str]:
    rows = sandbox.store.rows(
        "SELECT doc_key, MAX(seq) AS last FROM sandbox_written WHERE kind = ? "
        "GROUP BY doc_key ORDER BY last DESC LIMIT ?",
        (kind, LIMIT),
    )
    return [row["doc_key"] for row in rows]


def _count(sandbox: Sandbox, sql: str) -> int:
    row = sandbox.store.row(sql)
    return int((row or {}).get("n", 0))


def state(sandbox: Sandbox, *, dropped: int, injected: int) -> dict[str, Any]:
    company = sandbox.config.company_id
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
            "gl_entries": _count(sandbox, "SELECT COUNT(DISTINCT transaction_number) AS n FROM gl"),
        },
        "customers": written_customers,
        "orders": [sales_order_view(sandbox.store, k) for k in _keys(sandbox, "order")],
        "rmas": [sales_order_view(sandbox.store, k) for k in _keys(sandbox, "rma")],
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
            " ".join(str(v) for k, v in item.items() if k not in ("LineNo",))
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
