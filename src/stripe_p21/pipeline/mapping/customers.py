"""Stripe customer → P21 customer, as pure functions: the draft for a new P21 customer, the
exact-email test (whole address, case-insensitive — never the domain: free-mail domains are
shared by strangers) and the trade-name ("dba") signal a person should confirm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stripe_p21.connectors.p21.schemas import Address, CustomerDraft, P21Customer
from stripe_p21.intelligence.matching.normalise import has_trade_name

NAME_LIMIT = 40
"""P21's customer_name column is short; longer Stripe names are cut (the link keeps the id)."""


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def normalised_email(value: Any) -> str | None:
    text = _text(value)
    return text.lower() if text and "@" in text else None


def exact_email_matches(email: str, found: Sequence[P21Customer]) -> list[P21Customer]:
    """The P21 customers whose e-mail is exactly `email` (case-insensitive), by id."""
    wanted = normalised_email(email)
    if wanted is None:
        return []
    hits = {c.customer_id: c for c in found if normalised_email(c.email) == wanted}
    return [hits[k] for k in sorted(hits)]


def display_name(customer: Mapping[str, Any]) -> str:
    """The name to give P21: Stripe's name, else the description, else the e-mail, else the id."""
    for key in ("name", "description", "email", "id"):
        text = _text(customer.get(key))
        if text:
            return text[:NAME_LIMIT]
    return "Stripe customer"


def customer_draft(customer: Mapping[str, Any]) -> CustomerDraft:
    """A new P21 customer from a Stripe customer (address, phone, e-mail as Stripe holds them)."""
    address = customer.get("address") or {}
    currency = _text(customer.get("currency"))
    return CustomerDraft(
        name=display_name(customer),
        email=_text(customer.get("email")),
        phone=_text(customer.get("phone")),
        address=Address(
            line1=_text(address.get("line1")),
            city=_text(address.get("city")),
            state=_text(address.get("state")),
            postal_code=_text(address.get("postal_code")),
            country=_text(address.get("country")),
        )
        if address
        else None,
        currency_id=currency.upper() if currency else None,
    )


def metadata_customer_id(customer: Mapping[str, Any]) -> int | None:
    """A P21 customer id already written into the Stripe metadata."""
    text = _text((customer.get("metadata") or {}).get("p21_customer_id"))
    return int(text) if text and text.isdigit() else None


def trades_under_another_name(customer: Mapping[str, Any]) -> bool:
    """The Stripe name carries a "doing business as" trade name: a person should confirm."""
    return has_trade_name(_text(customer.get("name")))
