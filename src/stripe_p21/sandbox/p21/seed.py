"""Deterministic seed data for the P21 sandbox: a mid-sized industrial distributor, company ACME.

``generate(seed)`` is pure (same seed and ``today`` → same data) so the Stripe scenario generator
can build matching Stripe customers from the very same names, emails and phones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from stripe_p21.sandbox.p21 import seed_words as words

DEFAULT_SEED = 21
COMPANY_ID = "ACME"
FIRST_CUSTOMER_ID = 100001
SEED_TODAY = date(2026, 1, 15)
"""The ``today`` used when none is given, so the bare seed alone fixes every value."""


@dataclass(frozen=True)
class SeedCustomer:
    customer_id: int
    name: str
    email: str
    phone: str
    address1: str
    city: str
    state: str
    postal_code: str
    country: str
    terms_id: str
    credit_limit: Decimal
    credit_status: str
    customer_type: str
    salesrep_id: str
    currency_id: str
    modified: datetime


@dataclass(frozen=True)
class SeedItem:
    item_id: str
    description: str
    list_price: Decimal
    unit: str
    product_group: str


@dataclass(frozen=True)
class SeedAccount:
    account_no: str
    description: str
    account_type: str
    role: str
    """What the sync uses it for: bank, stripe_clearing, card_fees, sales, returns, disputes, fx…"""


@dataclass(frozen=True)
class SeedPeriod:
    year: int
    period: int
    begins: date
    ends: date
    closed: bool


@dataclass(frozen=True)
class SeedInvoice:
    """A historical invoice (P21 invoices when an order ships); some still open."""

    invoice_no: str
    customer_id: int
    invoice_date: date
    total: Decimal
    paid: Decimal


@dataclass(frozen=True)
class SeedData:
    seed: int
    company_id: str
    customers: tuple[SeedCustomer, ...]
    items: tuple[SeedItem, ...]
    accounts: tuple[SeedAccount, ...]
    periods: tuple[SeedPeriod, ...]
    invoices: tuple[SeedInvoice, ...] = ()


def _company_name(rng: random.Random, used: set[str]) -> str:
    while True:
        pattern = rng.randrange(3)
        if pattern == 0:
            base = f"{rng.choice(words.PLACES)} {rng.choice(words.TRADES)}"
        elif pattern == 1:
            first, second = rng.choice(words.SURNAMES), rng.choice(words.SURNAMES)
            base = f"{first} & {second} {rng.choice(words.TRADES)}"
        else:
            base = f"{rng.choice(words.SURNAMES)} {rng.choice(words.TRADES)}"
        name = f"{base} {rng.choice(words.LEGAL_SUFFIXES)}"
        if name not in used:
            used.add(name)
            return name


def _domain(name: str) -> str:
    kept = [w for w in name.split() if w.strip(".,&") and w not in words.LEGAL_SUFFIXES]
    slug = "".join(ch for ch in "".join(kept[:2]).lower() if ch.isalnum())
    return f"{slug}.com"


def _email(rng: random.Random, name: str) -> str:
    if rng.random() < 0.22:
        first, last = rng.choice(words.FIRST_NAMES).lower(), rng.choice(words.SURNAMES).lower()
        return f"{first}.{last}{rng.randrange(10, 99)}@{rng.choice(words.FREE_MAIL)}"
    return f"{rng.choice(words.MAILBOXES)}@{_domain(name)}"


def _customer(rng: random.Random, index: int, used: set[str], today: date) -> SeedCustomer:
    name = _company_name(rng, used)
    city, state, zip_prefix, area = rng.choice(words.CITIES)
    modified = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(
        days=rng.randrange(1, 720), seconds=rng.randrange(86400)
    )
    return SeedCustomer(
        customer_id=FIRST_CUSTOMER_ID + index,
        name=name,
        email=_email(rng, name),
        phone=f"({area}) 555-{rng.randrange(100, 9999):04d}",
        address1=f"{rng.randrange(100, 9900)} {rng.choice(words.STREETS)}",
        city=city,
        state=state,
        postal_code=f"{zip_prefix}{rng.randrange(10, 99)}",
        country="USA",
        terms_id=rng.choice(words.TERMS),
        credit_limit=Decimal(rng.choice((5, 10, 15, 25, 50, 75, 100, 250)) * 1000),
        credit_status=rng.choices(("GOOD", "HOLD", "COD"), weights=(90, 4, 6))[0],
        customer_type=rng.choice(("CONTRACTOR", "OEM", "MRO", "RESELLER")),
        salesrep_id=rng.choice(words.SALESREPS),
        currency_id="USD",
        modified=modified,
    )


def _items(rng: random.Random, count: int) -> list[SeedItem]:
    items = [SeedItem("WIDGET-001", "Standard widget, zinc plated", Decimal("25.00"), "EA", "GEN")]
    per_group = count // len(words.PRODUCT_GROUPS) + 1
    for prefix, group, nouns, units in words.PRODUCT_GROUPS:
        for n in range(1, per_group + 1):
            noun = rng.choice(nouns)
            size = rng.choice(words.SIZES)
            cents = rng.randrange(150, 250_000)
            price = (Decimal(cents) / 100).quantize(Decimal("0.01"))
            items.append(
                SeedItem(f"{prefix}-{n:04d}", f"{noun} {size}", price, rng.choice(units), group)
            )
    return items[:count]


def _periods(today: date) -> list[SeedPeriod]:
    """Monthly periods for last year, this year and next; months before last month are closed."""
    periods = []
    boundary = (today.year * 12 + today.month - 1) - 1
    for year in (today.year - 1, today.year, today.year + 1):
        for month in range(1, 13):
            begins = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            closed = (year * 12 + month - 1) < boundary
            periods.append(SeedPeriod(year, month, begins, following - timedelta(days=1), closed))
    return periods


def _invoices(seed: int, today: date, customer_ids: list[int], count: int) -> list[SeedInvoice]:
    """Past invoices, mostly paid; drawn from their own stream so customers stay unchanged."""
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible test data
    invoices = []
    for n in range(count):
        total = (Decimal(rng.randrange(2_500, 1_500_000)) / 100).quantize(Decimal("0.01"))
        paid = (
            total
            if rng.random() < 0.8
            else (total * Decimal(rng.choice(("0", "0.5")))).quantize(Decimal("0.01"))
        )
        invoices.append(
            SeedInvoice(
                invoice_no=f"{900001 + n}",
                customer_id=rng.choice(customer_ids),
                invoice_date=today - timedelta(days=rng.randrange(5, 360)),
                total=total,
                paid=paid,
            )
        )
    return invoices


def generate(
    seed: int = DEFAULT_SEED,
    *,
    today: date = SEED_TODAY,
    customers: int = 200,
    items: int = 500,
    invoices: int = 300,
) -> SeedData:
    """The whole company; pure: the same arguments always give the same data."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    used: set[str] = set()
    people = tuple(_customer(rng, i, used, today) for i in range(customers))
    return SeedData(
        seed=seed,
        company_id=COMPANY_ID,
        customers=people,
        items=tuple(_items(rng, items)),
        accounts=tuple(SeedAccount(*row) for row in words.ACCOUNTS),
        periods=tuple(_periods(today)),
        invoices=tuple(_invoices(seed, today, [c.customer_id for c in people], invoices)),
    )
