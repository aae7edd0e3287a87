"""Customer records in the sandbox: the Entity API's PascalCase view and create/update rules.

Shared by the Entity API, the Transaction API ``Customer`` service and the seed's simplified
``/api/v2/customers`` alias, so all three see and enforce the same customer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from stripe_p21.sandbox.p21.odata_sql import Columns
from stripe_p21.sandbox.p21.store import FIRST_CUSTOMER_NO, Store, now_text
from stripe_p21.sandbox.p21.wire import P21Failure

TOP_LEVEL = {
    "CustomerId": "customer_id", "CompanyId": "company_id", "CustomerName": "customer_name",
    "SalesrepId": "salesrep_id", "TermsId": "terms_id", "CreditStatus": "credit_status",
    "CreditLimit": "credit_limit", "CurrencyId": "currency_id", "CustomerType": "customer_type",
    "EmailAddress": "email_address", "DeleteFlag": "delete_flag",
}  # fmt: skip
ADDRESS = {
    "MailAddress1": "mail_address1", "MailCity": "mail_city", "MailState": "mail_state",
    "MailPostalCode": "mail_postal_code", "MailCountry": "mail_country",
    "CentralPhoneNumber": "central_phone_number",
}  # fmt: skip
ENTITY_QUERY_COLUMNS: Columns = {
    "CustomerId": ("customer_id", "number"), "CompanyId": ("company_id", "string"),
    "CustomerName": ("customer_name", "string"), "EmailAddress": ("email_address", "string"),
    "TermsId": ("terms_id", "string"), "CreditStatus": ("credit_status", "string"),
    "CustomerType": ("customer_type", "string"), "SalesrepId": ("salesrep_id", "string"),
    "CreditLimit": ("credit_limit", "decimal"), "DeleteFlag": ("delete_flag", "string"),
}  # fmt: skip
EDITABLE = frozenset(TOP_LEVEL.values()) - {"customer_id", "company_id"} | set(ADDRESS.values())


def entity_view(row: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {pascal: row.get(column) for pascal, column in TOP_LEVEL.items()}
    view["CreditLimit"] = Decimal(row["credit_limit"]) if row.get("credit_limit") else None
    view["DateLastModified"] = row.get("date_last_modified")
    view["CustomerAddress"] = {pascal: row.get(column) for pascal, column in ADDRESS.items()}
    return view


def columns_from_entity(body: Any, company_id: str) -> dict[str, Any]:
    """Column values from an Entity body; another company is refused like a disabled column."""
    if not isinstance(body, dict):
        raise P21Failure(400, "The content field is required.", "ModelState")
    if str(body.get("CompanyId") or company_id) != company_id:
        raise P21Failure(500, "Column is disabled: company_id")
    values = {col: body[p] for p, col in TOP_LEVEL.items() if p in body and col in EDITABLE}
    address = body.get("CustomerAddress") or {}
    if isinstance(address, dict):
        values.update({col: address[p] for p, col in ADDRESS.items() if p in address})
    if values.get("credit_limit") is not None:
        values["credit_limit"] = _limit(values["credit_limit"])
    return values


def _limit(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):f}"
    except InvalidOperation as exc:
        raise P21Failure(500, f"Invalid value '{value}' for CreditLimit") from exc


def get(store: Store, company_id: str, customer_id: int) -> dict[str, Any] | None:
    return store.row(
        "SELECT * FROM customer WHERE customer_id = ? AND company_id = ?",
        (customer_id, company_id),
    )


def create(store: Store, company_id: str, values: dict[str, Any], wanted: Any = None) -> int:
    """Insert a customer; the name is required and an explicit id must be free."""
    if not str(values.get("customer_name") or "").strip():
        raise P21Failure(500, "Customer Name is required")  # assumed text
    if wanted not in (None, ""):
        customer_id = _int_id(wanted)
        if get(store, company_id, customer_id) is not None:
            raise P21Failure(500, f"Customer ID {customer_id} already exists")  # assumed text
    else:
        customer_id = store.next_number("customer_id", FIRST_CUSTOMER_NO)
    stamp = now_text()
    defaults = {"terms_id": "NET30", "credit_status": "GOOD", "currency_id": "USD"}
    store.insert("customer", {
        **defaults, "delete_flag": "N", **values, "customer_id": customer_id,
        "company_id": company_id, "date_created": stamp, "date_last_modified": stamp,
    })  # fmt: skip
    store.written("customer", str(customer_id), "created")
    return customer_id


def update(store: Store, company_id: str, customer_id: int, values: dict[str, Any]) -> None:
    if get(store, company_id, customer_id) is None:
        raise P21Failure(404, f"Customer {company_id}_{customer_id} not found")
    changes = {**values, "date_last_modified": now_text()}
    store.update("customer", {"customer_id": customer_id, "company_id": company_id}, changes)
    store.written("customer", str(customer_id), "updated")


def _int_id(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise P21Failure(500, f"Invalid value '{value}' for CustomerId")
    return int(text)
