"""Entity API customers and inventory parts: PascalCase REST with P21's key and slash rules.

Customers are addressed as ``{CompanyId}_{CustomerId}`` (a bare id is 404), lists need the
trailing slash (307 otherwise) and take ``$query`` filters; parts answer 404 envelopes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post, put

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21.odata_parser import ODataNotFound, ODataSyntaxError, parse_filter
from stripe_p21.sandbox.p21.odata_sql import compile_filter
from stripe_p21.sandbox.p21.runtime import require_token, sandbox_of
from stripe_p21.sandbox.p21.wire import P21Failure, content_required, json_response, not_found

CUSTOMERS = "/api/entity/customers"


def slash_redirect(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """P21 answers 307 to the same URL with a trailing slash."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.scope["path"]
    if path.endswith("/"):
        return None
    query = request.scope.get("query_string", b"").decode()
    location = f"{path}/" + (f"?{query}" if query else "")
    return Response(content=b"", status_code=307, headers={"Location": location})


def _customer_id(request: Request[Any, Any, Any], key: str) -> int:
    company = sandbox_of(request).config.company_id
    prefix, _, number = key.partition("_")
    if prefix != company or not number.isdigit():
        raise not_found(f"Customer {key} not found")
    return int(number)


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError as exc:
        raise content_required() from exc


@get(f"{CUSTOMERS}/", guards=[require_token])
async def list_customers(request: Request[Any, Any, Any]) -> Response[bytes]:
    redirect = slash_redirect(request)
    if redirect is not None:
        return redirect
    sandbox = sandbox_of(request)
    where, params = "company_id = ?", [sandbox.config.company_id]
    query = request.query_params.get("$query")
    if query:
        try:
            condition, extra = compile_filter(parse_filter(query), customers.ENTITY_QUERY_COLUMNS)
        except ODataSyntaxError as exc:
            raise P21Failure(400, str(exc), "ODataSyntaxError") from exc
        except ODataNotFound as exc:
            raise not_found(str(exc)) from exc
        where, params = f"{where} AND ({condition})", [*params, *extra]
    sql = f"SELECT * FROM customer WHERE {where} ORDER BY customer_id"  # noqa: S608
    return json_response([customers.entity_view(r) for r in sandbox.store.rows(sql, params)])


@get(f"{CUSTOMERS}/{{key:str}}", guards=[require_token])
async def get_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    key = request.path_params["key"]
    sandbox = sandbox_of(request)
    row = customers.get(sandbox.store, sandbox.config.company_id, _customer_id(request, key))
    if row is None:
        raise not_found(f"Customer {key} not found")
    return json_response(customers.entity_view(row))


@post(f"{CUSTOMERS}/", guards=[require_token])
async def create_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    redirect = slash_redirect(request)
    if redirect is not None:
        return redirect
    sandbox = sandbox_of(request)
    company = sandbox.config.company_id
    body = _json_body(await request.body())
    values = customers.columns_from_entity(body, company)
    with sandbox.store.transaction():
        customer_id = customers.create(sandbox.store, company, values, body.get("CustomerId"))
    row = customers.get(sandbox.store, company, customer_id) or {}
    return json_response(customers.entity_view(row))


@put(f"{CUSTOMERS}/{{key:str}}", guards=[require_token])
async def update_customer(request: Request[Any, Any, Any]) -> Response[bytes]:
    key = request.path_params["key"]
    sandbox = sandbox_of(request)
    company = sandbox.config.company_id
    customer_id = _customer_id(request, key)
    body = _json_body(await request.body())
    values = customers.columns_from_entity(body, company)
    with sandbox.store.transaction():
        customers.update(sandbox.store, company, customer_id, values)
    row = customers.get(sandbox.store, company, customer_id) or {}
    return json_response(customers.entity_view(row))


@get("/api/inventory/parts/{item_id:str}", guards=[require_token])
async def get_part(request: Request[Any, Any, Any]) -> Response[bytes]:
    item_id = request.path_params["item_id"]
    store = sandbox_of(request).store
    row = store.row("SELECT * FROM inv_mast WHERE item_id = ? COLLATE NOCASE", (item_id,))
    if row is None:
        raise not_found(f"Item {item_id} not found")
    return json_response({
        "ItemId": row["item_id"], "ItemDesc": row["item_desc"],
        "Price1": Decimal(row["list_price"]),
        "DefaultSellingUnit": row["default_selling_unit"],
        "ProductGroupId": row["product_group_id"], "DeleteFlag": row["delete_flag"],
    })  # fmt: skip


ROUTES = [list_customers, get_customer, create_customer, update_customer, get_part]
