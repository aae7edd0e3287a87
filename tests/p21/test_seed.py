"""The seed is deterministic and realistic enough to match Stripe customers against."""

from __future__ import annotations

import re
from datetime import date

from stripe_p21.sandbox.p21.seed import generate
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
