"""The customer record the matcher compares, built from a Stripe Customer, a P21 customer or a
benchmark row, and its prepared (normalised) form computed once per record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stripe_p21.intelligence.matching import normalise as norm


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """Raw fields as the source holds them; every field may be missing."""

    key: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    birth_date: str | None = None
    """Person-record benchmarks only (FEBRL); always empty for customers."""


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """Normalised fields of one record, ready for blocking keys and similarity features."""

    key: str
    names: tuple[norm.NameForm, ...]
    trade_name: bool
    email: str | None
    email_local: str | None
    company_domain: str | None
    phone: str | None
    street: str | None
    house: str | None
    line2: str | None
    city: str | None
    state: str | None
    postal: str | None
    country: str | None
    birth_date: str | None

    @property
    def core(self) -> str | None:
        return self.names[0].core if self.names else None


def prepare(record: CustomerRecord) -> PreparedRecord:
    """Normalise every field of `record` once."""
    country = norm.country_code(record.country)
    email = norm.email_parts(record.email)
    line = norm.street(record.line1)
    return PreparedRecord(
        key=record.key,
        names=norm.name_forms(record.name),
        trade_name=norm.has_trade_name(record.name),
        email=email.address if email else None,
        email_local=email.local if email else None,
        company_domain=email.company_domain if email else None,
        phone=norm.phone_e164(record.phone, country or "US"),
        street=line,
        house=norm.house_number(line),
        line2=norm.plain(record.line2),
        city=norm.plain(record.city),
        state=norm.plain(record.state),
        postal=norm.postal_code(record.postal_code, country),
        country=country,
        birth_date=norm.plain(record.birth_date),
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def from_stripe(customer: dict[str, Any]) -> CustomerRecord:
    """A Stripe Customer object (dict). The description stands in when the name is empty."""
    address = customer.get("address") or {}
    name = _text(customer.get("name")) or _text(customer.get("description"))
    return CustomerRecord(
        key=str(customer.get("id") or ""),
        name=name,
        email=_text(customer.get("email")),
        phone=_text(customer.get("phone")),
        line1=_text(address.get("line1")),
        line2=_text(address.get("line2")),
        city=_text(address.get("city")),
        state=_text(address.get("state")),
        postal_code=_text(address.get("postal_code")),
        country=_text(address.get("country")),
    )


def stripe_p21_hint(customer: dict[str, Any]) -> int | None:
    """A P21 customer id already named in the Stripe metadata (`p21_customer_id`)."""
    value = (customer.get("metadata") or {}).get("p21_customer_id")
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None
