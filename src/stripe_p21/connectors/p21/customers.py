"""Customer capabilities: find by id, email or name prefix, create, update, page recent changes.

Customers live behind P21's Entity API (PascalCase, composite ``{CompanyId}_{CustomerId}`` keys,
trailing slash required on lists); recent changes are paged through OData ``customer``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.errors import P21NotFound
from stripe_p21.connectors.p21.http import P21Http
from stripe_p21.connectors.p21.odata import (
    datetime_literal,
    flag,
    parse_datetime,
    query_table,
    quote,
)
from stripe_p21.connectors.p21.schemas import (
    Address,
    CustomerChanges,
    CustomerDraft,
    CustomerRow,
    P21Customer,
    format_amount,
)

CUSTOMERS_PATH = "/api/entity/customers/"


def customer_from_entity(data: dict[str, Any]) -> P21Customer:
    """A ``P21Customer`` from the Entity API's PascalCase record."""
    address = data.get("CustomerAddress") or {}
    limit = data.get("CreditLimit")
    return P21Customer(
        customer_id=int(Decimal(str(data["CustomerId"]))),
        company_id=str(data.get("CompanyId") or ""),
        name=str(data.get("CustomerName") or ""),
        email=data.get("EmailAddress") or None,
        phone=address.get("CentralPhoneNumber") or None,
        address=Address(
            line1=address.get("MailAddress1"),
            city=address.get("MailCity"),
            state=address.get("MailState"),
            postal_code=address.get("MailPostalCode"),
            country=address.get("MailCountry"),
        ),
        terms_id=data.get("TermsId"),
        credit_limit=None if limit in (None, "") else Decimal(str(limit)),
        credit_status=data.get("CreditStatus"),
        currency_id=data.get("CurrencyId"),
        raw=data,
    )


def _address_fields(address: Address | None, phone: str | None) -> dict[str, Any]:
    fields = {
        "MailAddress1": address.line1 if address else None,
        "MailCity": address.city if address else None,
        "MailState": address.state if address else None,
        "MailPostalCode": address.postal_code if address else None,
        "MailCountry": address.country if address else None,
        "CentralPhoneNumber": phone,
    }
    return {k: v for k, v in fields.items() if v is not None}


def entity_body(draft: CustomerDraft | CustomerChanges, company_id: str) -> dict[str, Any]:
    """The Entity API body for a new customer or for the changed fields of one."""
    name = draft.name
    limit = draft.credit_limit
    body: dict[str, Any] = {
        "CompanyId": company_id,
        "CustomerName": name,
        "EmailAddress": draft.email,
        "TermsId": draft.terms_id,
        "CreditLimit": None if limit is None else Decimal(format_amount(limit)),
    }
    if isinstance(draft, CustomerDraft):
        body.update(
            CurrencyId=draft.currency_id,
            CustomerType=draft.customer_type,
            SalesrepId=draft.salesrep_id,
        )
    else:
        body.update(CreditStatus=draft.credit_status, **draft.extra)
    address = _address_fields(draft.address, draft.phone)
    if address:
        body["CustomerAddress"] = address
    return {k: v for k, v in body.items() if v is not None}


class CustomerOps:
    """Mixed into ``P21Client``; needs ``_http``, ``company_id`` and ``server_tz``."""

    _http: P21Http
    company_id: str
    server_tz: tzinfo

    def customer_key(self, customer_id: int | str) -> str:
        return f"{self.company_id}_{customer_id}"

    async def get_customer(self, customer_id: int | str) -> P21Customer:
        """The customer, or ``P21NotFound``."""
        path = CUSTOMERS_PATH + self.customer_key(customer_id)
        return customer_from_entity(await self._http.request_json("GET", path))

    async def find_customer(self, customer_id: int | str) -> P21Customer | None:
        try:
            return await self.get_customer(customer_id)
        except P21NotFound:
            return None

    async def _search(self, expression: str) -> list[P21Customer]:
        params = {"$query": expression}
        rows = await self._http.request_json("GET", CUSTOMERS_PATH, params=params)
        return [customer_from_entity(row) for row in rows or []]

    async def find_customers_by_email(self, email: str) -> list[P21Customer]:
        return await self._search(f"EmailAddress eq {quote(email.strip())}")

    async def find_customers_by_name(self, prefix: str) -> list[P21Customer]:
        return await self._search(f"startswith(CustomerName,{quote(prefix)})")

    async def create_customer(self, draft: CustomerDraft) -> P21Customer:
        body = entity_body(draft, self.company_id)
        created = await self._http.request_json("POST", CUSTOMERS_PATH, json=body, write=True)
        return customer_from_entity(created)

    async def update_customer(
        self, customer_id: int | str, changes: CustomerChanges
    ) -> P21Customer:
        """PUT the changed fields; P21 leaves the others as they are."""
        body = entity_body(changes, self.company_id)
        body["CustomerId"] = customer_id
        path = CUSTOMERS_PATH + self.customer_key(customer_id)
        updated = await self._http.request_json("PUT", path, json=body, write=True)
        return customer_from_entity(updated)

    async def customers_modified_since(
        self, since: datetime, *, page_size: int = 500
    ) -> AsyncIterator[CustomerRow]:
        """Every customer changed after ``since``, oldest first, page by page."""
        where = f"date_last_modified gt {datetime_literal(since, self.server_tz)}"
        skip = 0
        while True:
            rows = await query_table(
                self._http,
                "customer",
                where=where,
                orderby="date_last_modified,customer_id",
                top=page_size,
                skip=skip,
            )
            for row in rows:
                yield self._customer_row(row)
            if len(rows) < page_size:
                return
            skip += page_size

    def _customer_row(self, row: dict[str, Any]) -> CustomerRow:
        return CustomerRow(
            customer_id=int(Decimal(str(row["customer_id"]))),
            name=str(row.get("customer_name") or ""),
            company_id=row.get("company_id"),
            deleted=flag(row.get("delete_flag")),
            modified=parse_datetime(row.get("date_last_modified"), self.server_tz or UTC),
        )
