"""The seed is deterministic and realistic enough to match Stripe customers against."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from stripe_p21.sandbox.p21.seed import FIRST_ORDER_NO, LAST_INVOICED_ORDER_NO, SeedData, generate
from stripe_p21.sandbox.p21.seed_words import LEGAL_SUFFIXES


def test_same_seed_same_company() -> None:
    assert generate(7) == generate(7)
    assert generate(7).customers != generate(8).customers


def test_names_and_contacts_do_not_depend_on_today() -> None:
    early, late = generate(21, today=date(2025, 1, 1)), generate(21, today=date(2027, 6, 1))
    assert [(c.name, c.email) for c in early.customers] == [
        (c.name, c.email) for c in late.customers
    ]


def test_a_realistic_distributor() -> None:
    data = generate()
    assert data.company_id == "ACME" and len(data.customers) == 200 and len(data.items) == 500
    names = [c.name for c in data.customers]
    assert len(set(names)) == 200
    assert all(name.endswith(LEGAL_SUFFIXES) for name in names)
    free = [c for c in data.customers if c.email.split("@")[1] in ("gmail.com", "yahoo.com",
            "outlook.com", "hotmail.com", "aol.com", "icloud.com")]  # fmt: skip
    assert 10 < len(free) < 100
    assert all(re.fullmatch(r"\(\d{3}\) 555-\d{4}", c.phone) for c in data.customers)
    assert len({i.item_id for i in data.items}) == 500
    roles = {a.role for a in data.accounts}
    assert {"bank", "stripe_clearing", "card_fees", "sales", "sales_returns",
            "dispute_losses", "fx"} <= roles  # fmt: skip


def test_periods_closed_before_last_month() -> None:
    periods = generate(today=date(2026, 3, 15)).periods
    state = {(p.year, p.period): p.closed for p in periods}
    assert state[(2026, 1)] is True and state[(2026, 2)] is False and state[(2026, 3)] is False
    assert state[(2027, 12)] is False and state[(2025, 6)] is True


def test_history_of_invoices_some_still_open() -> None:
    invoices = generate().invoices
    assert len(invoices) == 300
    assert 10 < sum(1 for i in invoices if i.paid < i.total) < 150


def test_open_sales_orders_of_seeded_customers_and_items() -> None:
    today = date(2026, 11, 1)
    data = generate(today=today)
    orders = data.orders
    assert len(orders) == 40
    numbers = [int(o.order_no) for o in orders]
    assert numbers == sorted(set(numbers)) and numbers[0] == FIRST_ORDER_NO
    assert all(re.fullmatch(r"\d{7}", o.order_no) for o in orders)
    customers = {c.customer_id: c for c in data.customers}
    items = {i.item_id: i for i in data.items}
    for order in orders:
        assert customers[order.customer_id].credit_status != "HOLD"
        assert today - timedelta(days=100) <= order.order_date <= today - timedelta(days=30)
        assert order.requested_date > order.order_date
        assert order.lines and len({line.item_id for line in order.lines}) == len(order.lines)
        for line in order.lines:
            assert line.item_id in items and line.quantity > 0
            assert line.unit_price <= items[line.item_id].list_price
            assert line.unit_price == line.unit_price.quantize(Decimal("0.01"))
        assert order.total == sum(line.quantity * line.unit_price for line in order.lines)
        assert order.open_total == order.total > 0
        assert order.po_no is None or order.po_no.strip()
    assert any(o.po_no is None for o in orders) and any(o.po_no for o in orders)
    assert [o.order_date for o in orders] == sorted(o.order_date for o in orders)


def _undated(data: SeedData) -> list[object]:
    return [replace(o, order_date=date.min, requested_date=date.min) for o in data.orders]


def test_orders_are_deterministic_and_only_their_dates_follow_today() -> None:
    assert generate(7).orders == generate(7).orders
    assert generate(7).orders != generate(8).orders
    early, late = generate(21, today=date(2025, 1, 1)), generate(21, today=date(2027, 6, 1))
    assert _undated(early) == _undated(late)


def test_orders_leave_the_rest_of_the_seed_unchanged() -> None:
    with_orders, without = generate(), generate(orders=0)
    assert without.orders == ()
    assert with_orders.customers == without.customers
    assert with_orders.items == without.items
    assert with_orders.invoices == without.invoices


def test_every_invoice_comes_from_a_completed_order() -> None:
    data = generate()
    invoices = {i.invoice_no: i for i in data.invoices}
    shipped = data.invoiced_orders
    assert sorted(o.invoice_no for o in shipped) == sorted(invoices)
    numbers = [int(o.order_no) for o in shipped]
    assert numbers == list(range(LAST_INVOICED_ORDER_NO - 299, LAST_INVOICED_ORDER_NO + 1))
    assert max(numbers) < FIRST_ORDER_NO <= min(int(o.order_no) for o in data.orders)
    items = {i.item_id for i in data.items}
    for order in shipped:
        invoice = invoices[order.invoice_no]
        assert order.customer_id == invoice.customer_id and order.total == invoice.total
        assert order.order_date < order.requested_date <= order.ship_date == invoice.invoice_date
        assert order.lines and all(line.item_id in items for line in order.lines)
        assert len({line.item_id for line in order.lines}) == len(order.lines)
        assert all(line.quantity > 0 and line.unit_price > 0 for line in order.lines)
        assert order.open_total == 0
    assert [o.order_date for o in shipped] == sorted(o.order_date for o in shipped)
    assert data.invoice_order_nos() == {o.invoice_no: o.order_no for o in shipped}
    pos = [o.po_no.upper() for o in (*data.orders, *shipped) if o.po_no]
    assert len(pos) == len(set(pos))


def test_invoiced_orders_are_deterministic_and_only_their_dates_follow_today() -> None:
    assert generate(7).invoiced_orders == generate(7).invoiced_orders
    assert generate(7).invoiced_orders != generate(8).invoiced_orders
    early, late = generate(21, today=date(2025, 1, 1)), generate(21, today=date(2027, 6, 1))
    undated = [
        [(o.order_no, o.invoice_no, o.customer_id, o.po_no, o.lines) for o in data.invoiced_orders]
        for data in (early, late)
    ]
    assert undated[0] == undated[1]


def test_invoiced_orders_leave_the_rest_of_the_seed_unchanged() -> None:
    with_history, without = generate(), generate(invoices=0)
    assert without.invoices == () and without.invoiced_orders == ()
    assert with_history.customers == without.customers
    assert with_history.items == without.items
    assert with_history.orders == without.orders
