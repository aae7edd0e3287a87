"""Write surfaces: the Transaction API on the UI server, sales-order REST and the GL journal.

The Transaction API answers 200 even for failed transactions; sales orders and GL use PascalCase
REST with 500 envelopes for business-rule failures.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post

from stripe_p21.sandbox.p21 import ledger
from stripe_p21.sandbox.p21.routes_entity import slash_redirect
from stripe_p21.sandbox.p21.runtime import require_token, sandbox_of, wants_json
from stripe_p21.sandbox.p21.store import Store
from stripe_p21.sandbox.p21.wire import P21Failure, content_required, json_response, not_found

UI = "/uiserver0"


@post(f"{UI}/api/v2/transaction", guards=[require_token])
async def transaction(request: Request[Any, Any, Any]) -> Response[bytes]:
    if not wants_json(request):
        raise P21Failure(500, empty=True)
    sandbox = sandbox_of(request)
    sandbox.count("transaction_posts")
    return json_response(sandbox.engine.run(await request.body()))


@post(f"{UI}/api/v2/transaction/get", guards=[require_token])
async def transaction_get(request: Request[Any, Any, Any]) -> Response[bytes]:
    return json_response(sandbox_of(request).engine.get(await request.body()))


def sales_order_view(store: Store, order_no: str) -> dict[str, Any]:
    """A sales order in the REST family's PascalCase (field names assumed)."""
    header = store.row("SELECT * FROM oe_hdr WHERE order_no = ?", (order_no,))
    if header is None:
        raise not_found(f"Order {order_no} not found")
    lines = store.rows("SELECT * FROM oe_line WHERE order_no = ? ORDER BY line_no", (order_no,))
    payments = store.rows(
        "SELECT * FROM ar_payment_details WHERE order_no = ? ORDER BY payment_uid", (order_no,)
    )
    return {
        "OrderNo": order_no, "CompanyId": header["company_id"],
        "CustomerId": header["customer_id"], "PoNo": header["po_no"],
        "OrderDate": header["order_date"], "RequestedDate": header["requested_date"],
        "Taker": header["taker"], "Approved": header["approved"],
        "CancelFlag": header["cancel_flag"], "RmaFlag": header["rma_flag"],
        "Lines": {"list": [
            {"LineNo": ln["line_no"], "ItemId": ln["item_id"],
             "QtyOrdered": Decimal(ln["qty_ordered"]), "UnitPrice": Decimal(ln["unit_price"]),
             "ExtendedPrice": Decimal(ln["extended_price"]), "UnitOfMeasure": ln["unit_of_measure"],
             "ExtendedDesc": ln["extended_desc"]}
            for ln in lines
        ]},
        "Payments": {"list": [
            {"PaymentTypeId": p["payment_type_id"], "PaymentAmount": Decimal(p["payment_amount"]),
             "PaymentDesc": p["payment_desc"], "PaymentDate": p["payment_date"]}
            for p in payments
        ]},
    }  # fmt: skip


@get("/api/sales/orders/{order_no:str}", guards=[require_token])
async def get_sales_order(request: Request[Any, Any, Any]) -> Response[bytes]:
    order_no = request.path_params["order_no"]
    return json_response(sales_order_view(sandbox_of(request).store, order_no))


def transaction_from_rest(body: Any) -> dict[str, Any]:
    """A REST sales-order body replayed through the ``Order`` service."""
    if not isinstance(body, dict):
        raise content_required()
    header = [("customer_id", body.get("CustomerId")), ("po_no", body.get("PoNo")),
              ("order_date", body.get("OrderDate")), ("taker", body.get("Taker"))]  # fmt: skip
    lines = (body.get("Lines") or {}).get("list") or []
    rows = [
        {"Edits": [{"Name": n, "Value": str(v)} for n, v in (
            ("user_line_no", str(i)), ("oe_order_item_id", ln.get("ItemId")),
            ("unit_quantity", ln.get("QtyOrdered", ln.get("Quantity"))),
            ("unit_price", ln.get("UnitPrice")), ("extended_desc", ln.get("ExtendedDesc")))
            if v is not None]}
        for i, ln in enumerate(lines, start=1)
    ]  # fmt: skip
    edits = [{"Name": n, "Value": str(v)} for n, v in header if v is not None]
    return {"Name": "Order", "Transactions": [{"Status": "New", "DataElements": [
        {"Name": "TABPAGE_1.order", "Type": "Form", "Keys": [], "Rows": [{"Edits": edits}]},
        {"Name": "TP_ITEMS.items", "Type": "List", "Keys": ["user_line_no"], "Rows": rows},
    ]}]}  # fmt: skip


@post("/api/sales/orders/", guards=[require_token])
async def create_sales_order(request: Request[Any, Any, Any]) -> Response[bytes]:
    redirect = slash_redirect(request)
    if redirect is not None:
        return redirect
    sandbox = sandbox_of(request)
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise content_required() from exc
    answer = sandbox.engine.run(json.dumps(transaction_from_rest(body)).encode())
    if answer["Summary"]["Failed"]:
        raise P21Failure(500, "; ".join(answer["Messages"]))
    header = answer["Results"]["Transactions"][0]["DataElements"][0]["Rows"][0]["Edits"]
    order_no = next(e["Value"] for e in header if e["Name"] == "order_no")
    return json_response(sales_order_view(sandbox.store, order_no))


@post("/api/accounting/gl/", guards=[require_token])
async def post_gl(request: Request[Any, Any, Any]) -> Response[bytes]:
    redirect = slash_redirect(request)
    if redirect is not None:
        return redirect
    sandbox = sandbox_of(request)
    try:
        body = json.loads(await request.body(), parse_float=Decimal)
    except ValueError as exc:
        raise content_required() from exc
    return json_response(ledger.post_entry(sandbox.store, sandbox.config.company_id, body))


@get("/api/accounting/gl/{number:str}", guards=[require_token])
async def get_gl(request: Request[Any, Any, Any]) -> Response[bytes]:
    number = request.path_params["number"]
    return json_response(ledger.entry(sandbox_of(request).store, number))


ROUTES = [transaction, transaction_get, get_sales_order, create_sales_order, post_gl, get_gl]
