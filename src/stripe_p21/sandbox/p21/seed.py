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
FIRST_ORDER_NO = 1_000_001
"""The first 7-digit order number; seeded orders start here and new orders follow them."""
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
class SeedOrderLine:
    item_id: str
    quantity: int
    unit_price: Decimal
    unit: str

    @property
    def extended_price(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class SeedOrder:
    """An open sales order (entered, approved, not shipped, not paid): what a customer can pay
    for before P21 invoices it. ``po_no`` is the customer's PO, or None."""

    order_no: str
    customer_id: int
    po_no: str | None
    order_date: date
    requested_date: date
    taker: str
    lines: tuple[SeedOrderLine, ...]

    @property
    def total(self) -> Decimal:
        """The order's total: the sum of its lines (no tax or freight on seeded orders)."""
        return sum((line.extended_price for line in self.lines), Decimal("0.00"))

    @property
    def open_total(self) -> Decimal:
        """What is still to pay: seeded orders carry no payment, so the whole total."""
        return self.total


@dataclass(frozen=True)
class SeedData:
    seed: int
    company_id: str
    customers: tuple[SeedCustomer, ...]
    items: tuple[SeedItem, ...]
    accounts: tuple[SeedAccount, ...]
    periods: tuple[SeedPeriod, ...]
    invoices: tuple[SeedInvoice, ...] = ()
    orders: tuple[SeedOrder, ...] = ()
    service_items: tuple[SeedItem, ...] = ()
    """Fixed non-stock items the Stripe sync uses (fallback, refund, subscription service);
    kept apart from ``items`` so the catalogue, and every stream drawn from it, stays unchanged."""


SERVICE_ITEMS = (
    SeedItem("MISC-STRIPE", "Stripe sale, unmapped item (non-stock)", Decimal("0.00"), "EA", "SVC"),
    SeedItem("REFUND-STRIPE", "Stripe refund credit (non-stock)", Decimal("0.00"), "EA", "SVC"),
    SeedItem("SUB-PLAN", "Subscription service (non-stock)", Decimal("0.00"), "EA", "SVC"),
)
"""Non-stock items of `config/mapping.yaml` (`fallback_item_id`, `refund_item_id`); fixed, never
drawn from the random stream."""


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


def _customer_po(rng: random.Random) -> str | None:
    """A customer's purchase-order reference in one of the usual shapes, or none (40 %)."""
    shape = rng.randrange(5)
    if shape < 2:
        return None
    if shape == 2:
        return f"PO-{rng.randrange(10_000, 99_999)}"
    if shape == 3:
        return f"45{rng.randrange(10**7, 10**8)}"
    return f"{rng.choice(words.SURNAMES)[:3].upper()}-{rng.randrange(1000, 9999)}"


def _order_lines(rng: random.Random, items: list[SeedItem]) -> tuple[SeedOrderLine, ...]:
    count = rng.choices((1, 2, 3, 4, 5), weights=(30, 30, 20, 12, 8))[0]
    lines = []
    for item in rng.sample(items, count):
        if item.list_price < 50:
            quantity = rng.choice((10, 25, 50, 100))
        elif item.list_price < 500:
            quantity = rng.choice((1, 2, 4, 6, 10, 12))
        else:
            quantity = rng.choice((1, 1, 2, 3))
        discount = rng.choice((0, 0, 0, 5, 10, 15))
        price = (item.list_price * (100 - discount) / 100).quantize(Decimal("0.01"))
        lines.append(SeedOrderLine(item.item_id, quantity, price, item.unit))
    return tuple(lines)


def _orders(
    seed: int, today: date, customers: list[SeedCustomer], items: list[SeedItem], count: int
) -> list[SeedOrder]:
    """Open orders entered 30 to 100 days before ``today``, from their own stream (so nothing else
    changes); only the dates depend on ``today``. Numbers start at ``FIRST_ORDER_NO`` with gaps
    (the orders in between have shipped and been invoiced)."""
    rng = random.Random(seed * 7919 + 2)  # noqa: S311 - reproducible test data
    buyers = [c for c in customers if c.credit_status != "HOLD"]
    orders, number = [], FIRST_ORDER_NO
    ages = sorted((rng.randrange(30, 101) for _ in range(count)), reverse=True)
    for age in ages:
        customer = rng.choice(buyers)
        order_date = today - timedelta(days=age)
        orders.append(
            SeedOrder(
                order_no=f"{number:07d}",
                customer_id=customer.customer_id,
                po_no=_customer_po(rng),
                order_date=order_date,
                requested_date=order_date + timedelta(days=rng.randrange(3, 31)),
                taker=customer.salesrep_id,
                lines=_order_lines(rng, items),
            )
        )
        number += rng.randint(1, 4)
    return orders


def generate(
    seed: int = DEFAULT_SEED,
    *,
    today: date = SEED_TODAY,
    customers: int = 200,
    items: int = 500,
    invoices: int = 300,
    orders: int = 40,
) -> SeedData:
    """The whole company; pure: the same arguments always give the same data."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    used: set[str] = set()
    people = tuple(_customer(rng, i, used, today) for i in range(customers))
    catalogue = _items(rng, items)
    return SeedData(
        seed=seed,
        company_id=COMPANY_ID,
        customers=people,
        items=tuple(catalogue),
        accounts=tuple(SeedAccount(*row) for row in words.ACCOUNTS),
        periods=tuple(_periods(today)),
        invoices=tuple(_invoices(seed, today, [c.customer_id for c in people], invoices)),
        orders=tuple(_orders(seed, today, list(people), catalogue, orders)),
        service_items=SERVICE_ITEMS,
    )
