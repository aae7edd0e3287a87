"""Test-data factories for P21 drafts (unique Stripe references, realistic lines)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from stripe_p21.connectors.p21 import (
    CustomerDraft,
    JournalEntry,
    JournalLine,
    OrderDraft,
    OrderLine,
    Payment,
    Period,
)
from stripe_p21.connectors.p21.schemas import Address

SEEDED_CUSTOMER = 100001


def stripe_id(prefix: str = "ch") -> str:
    return f"{prefix}_3Q{uuid.uuid4().hex[:20]}"


def order_draft(**changes: object) -> OrderDraft:
    charge = stripe_id()
    values: dict[str, object] = {
        "customer_id": SEEDED_CUSTOMER,
        "po_no": charge,
        "lines": (
            OrderLine("WIDGET-001", 5),
            OrderLine("FAST-0001", Decimal("2"), unit_price=Decimal("12.50")),
        ),
        "payment": Payment(Decimal("150.00"), charge),
    }
    values.update(changes)
    return OrderDraft(**values)  # type: ignore[arg-type]


def customer_draft(name: str = "Riverbend Hydraulics LLC") -> CustomerDraft:
    return CustomerDraft(
        name=name,
        email=f"ap+{uuid.uuid4().hex[:8]}@riverbendhydraulics.com",
        phone="(216) 555-0142",
        address=Address("120 Foundry Ct", "Cleveland", "OH", "44114", "USA"),
        terms_id="NET30",
        credit_limit=Decimal("25000"),
    )


def payout_entry(period: Period, *, balanced: bool = True) -> JournalEntry:
    """A Stripe payout: bank and fees against the clearing account."""
    lines = [
        JournalLine("1010", Decimal("970.90"), "Stripe payout po_1"),
        JournalLine("6150", Decimal("29.10"), "Stripe fees"),
        JournalLine("1015", Decimal("-1000.00"), "Stripe clearing"),
    ]
    if not balanced:
        lines[0] = JournalLine("1010", Decimal("970.00"), "Stripe payout po_1")
    return JournalEntry(
        period=period.period,
        year=period.year,
        journal_id="STRIPE",
        transaction_date=date(period.year, period.period, 1),
        lines=tuple(lines),
        description="Stripe payout",
    )
