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
LAST_INVOICED_ORDER_NO = FIRST_ORDER_NO - 1
"""The orders P21 shipped and invoiced (one per seeded invoice) are numbered in a block of their
own that ends here, just below the open orders: 999701-1000000 for the default 300 invoices."""
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
class SeedInvoicedOrder(SeedOrder):
    """A sales order that shipped and was invoiced as ``invoice_no`` (completed in ``oe_hdr``):
    its lines add up to the invoice's total; what is still owed is the invoice's balance."""

    invoice_no: str
    ship_date: date

    @property
    def open_total(self) -> Decimal:
        """Nothing is open on a completed order: the invoice carries the balance."""
        return Decimal("0.00")


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
    invoiced_orders: tuple[SeedInvoicedOrder, ...] = ()
    """The order each invoice came from (P21 invoices an order when it ships), in order number
    order; drawn from a stream of their own, so nothing above changes."""

    def invoice_order_nos(self) -> dict[str, str]:
        """Invoice number → the number of the order it invoiced."""
        return {order.invoice_no: order.order_no for order in self.invoiced_orders}


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
    (the orders in between have shipped; the seeded invoices' own orders are the block below,
    see ``_invoiced_orders``)."""
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


def _invoiced_lines(
    rng: random.Random, items: list[SeedItem], total: Decimal
) -> tuple[SeedOrderLine, ...]:
    """Lines of catalogue items adding up to exactly ``total``: list-priced lines taking part of
    what is left, then one line for the rest, at the item and quantity (of a dozen drawn) whose
    unit price comes nearest the item's list price."""
    count = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
    drawn = rng.sample(items, min(len(items), count - 1 + 12))
    count = min(count, len(drawn))
    lines, left = [], total
    for item in drawn[: count - 1]:
        budget = left * rng.randrange(20, 60) / 100
        quantity = int(budget / item.list_price) if item.list_price > 0 else 0
        if quantity >= 1:
            lines.append(SeedOrderLine(item.item_id, quantity, item.list_price, item.unit))
            left -= quantity * item.list_price
    cents = int(left * 100)
    quantities = [q for q in range(1, 101) if cents % q == 0]
    last, quantity = min(
        ((item, q) for item in drawn[count - 1 :] if item.list_price > 0 for q in quantities),
        key=lambda pick: abs(left / pick[1] / pick[0].list_price - 1),
    )
    price = (left / quantity).quantize(Decimal("0.01"))
    lines.append(SeedOrderLine(last.item_id, quantity, price, last.unit))
    return tuple(lines)


def _invoiced_orders(
    seed: int,
    invoices: list[SeedInvoice],
    customers: list[SeedCustomer],
    items: list[SeedItem],
    taken_pos: set[str],
) -> list[SeedInvoicedOrder]:
    """The order behind each invoice, from its own stream: the invoice's customer, entered 2 to
    20 days before the invoice date and shipped on it, lines summing to the invoice total.
    Numbered by order date (then invoice number) in the block ending at
    ``LAST_INVOICED_ORDER_NO``; only the dates depend on ``today``."""
    rng = random.Random(seed * 7919 + 3)  # noqa: S311 - reproducible test data
    reps = {c.customer_id: c.salesrep_id for c in customers}
    drafts = []
    for invoice in invoices:
        order_date = invoice.invoice_date - timedelta(days=rng.randrange(2, 21))
        po_no = _customer_po(rng)
        if po_no is not None and po_no.upper() in taken_pos:
            po_no = None
        if po_no is not None:
            taken_pos.add(po_no.upper())
        lines = _invoiced_lines(rng, items, invoice.total)
        drafts.append((order_date, invoice, po_no, lines))
    drafts.sort(key=lambda d: (d[0], d[1].invoice_no))
    first = LAST_INVOICED_ORDER_NO - len(drafts) + 1
    return [
        SeedInvoicedOrder(
            order_no=str(first + n),
            customer_id=invoice.customer_id,
            po_no=po_no,
            order_date=order_date,
            requested_date=min(order_date + timedelta(days=7), invoice.invoice_date),
            taker=reps[invoice.customer_id],
            lines=lines,
            invoice_no=invoice.invoice_no,
            ship_date=invoice.invoice_date,
        )
        for n, (order_date, invoice, po_no, lines) in enumerate(drafts)
    ]


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
    history = _invoices(seed, today, [c.customer_id for c in people], invoices)
    open_orders = _orders(seed, today, list(people), catalogue, orders)
    taken = {o.po_no.upper() for o in open_orders if o.po_no}
    return SeedData(
        seed=seed,
        company_id=COMPANY_ID,
        customers=people,
        items=tuple(catalogue),
        accounts=tuple(SeedAccount(*row) for row in words.ACCOUNTS),
        periods=tuple(_periods(today)),
        invoices=tuple(history),
        orders=tuple(open_orders),
        service_items=SERVICE_ITEMS,
        invoiced_orders=tuple(_invoiced_orders(seed, history, list(people), catalogue, taken)),
    )
