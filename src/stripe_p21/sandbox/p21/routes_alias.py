"""The integration brief's simplified ``/api/v2/...`` endpoints, as marked aliases.

None of these exist on a real P21 server. They are views over the same data for people who want
a simple REST picture; every answer carries ``X-Sandbox-Alias: true``. The client uses one of them,
``POST /api/v2/invoices`` (the ``direct_invoice`` order mode): it does in one step what a real P21
does over two — the ``Order`` transaction (with its remittance row), then ``Shipping``, which
completes the order and invoices it. A real server has no "create invoice" call.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post, put

from stripe_p21.sandbox.p21 import customer_records as customers
from stripe_p21.sandbox.p21 import ledger
from stripe_p21.sandbox.p21 import txn_common as t
from stripe_p21.sandbox.p21.order_service import (
    CARD_FORM,
    ITEMS,
    ORDER_FORM,
    REMITTANCES,
    OrderService,
)
from stripe_p21.sandbox.p21.routes_sales import sales_order_view, transaction_from_rest
from stripe_p21.sandbox.p21.runtime import Sandbox, require_token, sandbox_of
from stripe_p21.sandbox.p21.store import Store
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


_HEADER = (("CustomerId", "customer_id"), ("PoNo", "po_no"), ("OrderDate", "order_date"),
           ("RequestedDate", "requested_date"), ("Taker", "taker"), ("CurrencyId", "currency_id"),
           ("SalesLocId", "sales_loc_id"), ("SourceLocId", "source_loc_id"))  # fmt: skip
_LINE = (("ItemId", "oe_order_item_id"), ("QtyOrdered", "unit_quantity"),
         ("UnitPrice", "unit_price"), ("UnitOfMeasure", "unit_of_measure"),
         ("ExtendedDesc", "extended_desc"))  # fmt: skip
_PAYMENT = (("PaymentTypeId", "payment_type_id"), ("PaymentAmount", "payment_amount"),
            ("PaymentDesc", "payment_desc"), ("PaymentDate", "payment_date"),
            ("CcAuthorizedNumber", "cc_authorized_number"))  # fmt: skip
NO_LINES = "At least one line is required to invoice"  # assumed


def _edits(source: Any, names: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    if not isinstance(source, dict):
        return []
    return [{"Name": column, "Value": str(source[field])}
            for field, column in names if source.get(field) is not None]  # fmt: skip


def invoice_transaction(body: Any) -> dict[str, Any]:
    """The ``Order`` transaction a direct-invoice body stands for: header (plus ``HeaderEdits``,
    e.g. user-defined fields), item rows keyed by line number, the remittance row and, with an
    authorisation number, the card-response form."""
    if not isinstance(body, dict):
        raise content_required()
    header = _edits(body, _HEADER)
    extra = body.get("HeaderEdits") or []
    header += [{"Name": str(e.get("Name")), "Value": str(e.get("Value"))}
               for e in extra if isinstance(e, dict)]  # fmt: skip
    listed = body.get("Lines")
    lines = listed.get("list") if isinstance(listed, dict) else listed
    rows = [
        {"Edits": [{"Name": "user_line_no", "Value": str(i)}, *_edits(line, _LINE)]}
        for i, line in enumerate(lines or [], start=1)
    ]
    elements: list[dict[str, Any]] = [
        {"Name": ORDER_FORM, "Type": "Form", "Keys": [], "Rows": [{"Edits": header}]},
        {"Name": ITEMS, "Type": "List", "Keys": ["user_line_no"], "Rows": rows},
    ]
    payment = body.get("Payment")
    if isinstance(payment, dict):
        elements.append({"Name": REMITTANCES, "Type": "List", "Keys": [],
                         "Rows": [{"Edits": _edits(payment, _PAYMENT)}]})  # fmt: skip
        if payment.get("CcAuthorizedNumber"):
            auth = [{"Name": "authorization_number", "Value": str(payment["CcAuthorizedNumber"])}]
            elements.append({"Name": CARD_FORM, "Type": "Form", "Keys": [],
                             "Rows": [{"Edits": auth}]})  # fmt: skip
    return {"Status": "New", "DataElements": elements}


def invoice_view(store: Store, invoice_no: str) -> dict[str, Any]:
    """An invoice in PascalCase, with the completed order it came from."""
    row = store.row("SELECT * FROM invoice_hdr WHERE invoice_no = ?", (invoice_no,))
    if row is None:
        raise not_found(f"Invoice {invoice_no} not found")
    return {
        "InvoiceNo": row["invoice_no"], "OrderNo": row["order_no"],
        "CustomerId": row["customer_id"], "InvoiceDate": row["invoice_date"],
        "TotalAmount": Decimal(row["total_amount"]), "AmountPaid": Decimal(row["amount_paid"]),
        "PaidInFullFlag": row["paid_in_full_flag"], "InvoiceType": row["invoice_type"],
        "Order": sales_order_view(store, row["order_no"]),
    }  # fmt: skip


@get("/api/v2/invoices/{invoice_no:str}", guards=[require_token])
async def alias_invoice(request: Request[Any, Any, Any]) -> Response[bytes]:
    invoice_no = request.path_params["invoice_no"]
    return _alias(invoice_view(sandbox_of(request).store, invoice_no))


@post("/api/v2/invoices", guards=[require_token])
async def alias_create_invoice(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Sales order (completed, with its remittance row) and its invoice in one step — what a real
    P21 does over ``Order`` + ``Shipping``. Any failure writes nothing and answers P21's 500
    envelope; ``InvoiceDate`` (optional) defaults to the order date."""
    sandbox = sandbox_of(request)
    body = await _body(request)
    transaction = invoice_transaction(body)
    service = OrderService(sandbox.store, sandbox.config.company_id, rma=False)
    try:
        if not transaction["DataElements"][1]["Rows"]:
            raise t.TxFailure(NO_LINES)
        with sandbox.store.transaction():
            order_no = service.apply(transaction)
            invoice_date = body.get("InvoiceDate")
            invoice_no = service.invoice(order_no, str(invoice_date) if invoice_date else None)
    except t.TxFailure as failure:
        raise P21Failure(500, failure.message) from failure
    return _alias(invoice_view(sandbox.store, invoice_no))


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
    alias_orders, alias_order, alias_create_order, alias_invoices, alias_invoice,
    alias_create_invoice, alias_credit_memos, alias_journal,
]  # fmt: skip
