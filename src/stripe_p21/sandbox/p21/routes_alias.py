"""The integration brief's simplified ``/api/v2/...`` endpoints, as marked aliases.

None of these exist on a real P21 server. They are views over the same data for people who want
a simple REST picture; every answer carries ``X-Sandbox-Alias: true``. The client never uses them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post, put

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21 import ledger
from stripe_p21.sandbox.p21.routes_sales import sales_order_view, transaction_from_rest
from stripe_p21.sandbox.p21.runtime import Sandbox, require_token, sandbox_of
from stripe_p21.sandbox.p21.wire import P21Failure, content_required, json_response, not_found

ALIAS = {"X-Sandbox-Alias": "true"}


def _alias(body: Any) -> Response[bytes]:
    return json_response(body, headers=ALIAS)


async def _body(request: Request[Any, Any, Any]) -> Any:
    try:
        return json.loads(await request.body(), parse_float=Decimal)
    except ValueError as exc:
        raise content_required() from exc


def _customer(sandbox: Sandbox, customer_id: int) -> dict[str, Any]:
    row = customers.get(sandbox.store, sandbox.config.company_id, customer_id)
    if row is None:
        raise not_found(f"Customer {customer_id} not found")
    return customers.entity_view(row)


@get("/api/v2/customers", guards=[require_token])
async def alias_customers(request: Request[Any, Any, Any]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    rows = sandbox.store.rows(
        "SELECT * FROM customer WHERE company_id = ? ORDER BY customer_id",
        (sandbox.config.company_id,),
    )
    return _alias([customers.entity_view(r) for r in rows])


@get("/api/v2/customers/{customer_id:int}", guards=[require_token])
async def alias_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    customer_id = request.path_params["customer_id"]
    return _alias(_customer(sandbox_of(request), customer_id))


@post("/api/v2/customers", guards=[require_token])
async def alias_create_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    body = await _body(request)
    values = customers.columns_from_entity(body, sandbox.config.company_id)
    with sandbox.store.transaction():
        new_id = customers.create(sandbox.store, sandbox.config.company_id, values)
    return _alias(_customer(sandbox, new_id))


@put("/api/v2/customers/{customer_id:int}", guards=[require_token])
async def alias_update_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    customer_id = request.path_params["customer_id"]
    sandbox = sandbox_of(request)
    values = customers.columns_from_entity(await _body(request), sandbox.config.company_id)
    with sandbox.store.transaction():
        customers.update(sandbox.store, sandbox.config.company_id, customer_id, values)
    return _alias(_customer(sandbox, customer_id))


def _orders(sandbox: Sandbox, rma: str) -> list[dict[str, Any]]:
    numbers = sandbox.store.rows(
        "SELECT order_no FROM oe_hdr WHERE rma_flag = ? ORDER BY order_no DESC LIMIT 500", (rma,)
    )
    return [sales_order_view(sandbox.store, row["order_no"]) for row in numbers]


@get("/api/v2/salesorders", guards=[require_token])
async def alias_orders(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _alias(_orders(sandbox_of(request), "N"))


@get("/api/v2/salesorders/{order_no:str}", guards=[require_token])
async def alias_order(request: Request[Any, Any, Any]) -> Response[bytes]:
    order_no = request.path_params["order_no"]
    return _alias(sales_order_view(sandbox_of(request).store, order_no))


@post("/api/v2/salesorders", guards=[require_token])
async def alias_create_order(request: Request[Any, Any, Any]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    body = json.dumps(transaction_from_rest(await _body(request))).encode()
    answer = sandbox.engine.run(body)
    if answer["Summary"]["Failed"]:
        raise P21Failure(500, "; ".join(answer["Messages"]))
    edits = answer["Results"]["Transactions"][0]["DataElements"][0]["Rows"][0]["Edits"]
    order_no = next(e["Value"] for e in edits if e["Name"] == "order_no")
    return _alias(sales_order_view(sandbox.store, order_no))


@get("/api/v2/invoices", guards=[require_token])
async def alias_invoices(request: Request[Any, Any, Any]) -> Response[bytes]:
    rows = sandbox_of(request).store.rows("SELECT * FROM invoice_hdr ORDER BY invoice_no")
    return _alias(rows)


@get("/api/v2/creditmemos", guards=[require_token])
async def alias_credit_memos(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Credit memos come from RMA orders on P21."""
    return _alias(_orders(sandbox_of(request), "Y"))


@post("/api/v2/gl/journalentries", guards=[require_token])
async def alias_journal(request: Request[Any, Any, Any]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    body = await _body(request)
    lines = body.get("Lines") if isinstance(body, dict) else body
    return _alias(ledger.post_entry(sandbox.store, sandbox.config.company_id, lines))


ROUTES = [
    alias_customers, alias_customer, alias_create_customer, alias_update_customer,
    alias_orders, alias_order, alias_create_order, alias_invoices, alias_credit_memos,
    alias_journal,
]  # fmt: skip
