"""The pure customer mapping: exact e-mail only (never a shared free-mail domain), the DBA
signal, and the P21 draft of a new customer; every official customer shape parses."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from syrupy.assertion import SnapshotAssertion

from stripe_p21.connectors.p21.schemas import Address, P21Customer
from stripe_p21.pipeline.mapping import customers
from stripe_p21.sandbox.stripe import shapes_billing

FIXTURES = Path("/work/shared/stripe/fixtures3.json")


def _p21(customer_id: int, email: str) -> P21Customer:
    return P21Customer(customer_id, "ACME", f"Customer {customer_id}", email, None, Address(),
                       "NET30", Decimal(1000), "GOOD", "USD", raw={})  # fmt: skip


def test_exact_address_only_case_insensitive() -> None:
    found = [_p21(100018, "billing@reyespackaging.com"), _p21(100020, "laura.d@outlook.com")]
    assert [c.customer_id for c in customers.exact_email_matches(
        "BILLING@ReyesPackaging.com", found)] == [100018]  # fmt: skip
    assert customers.exact_email_matches("laura.donovan50@outlook.com", found) == []
    assert customers.exact_email_matches("", found) == []


def test_trade_names_need_a_person() -> None:
    assert customers.trades_under_another_name({"name": "Jensen Fastener dba Summit Controls"})
    assert not customers.trades_under_another_name({"name": "Reyes Packaging Co."})


def test_new_customer_draft(snapshot: SnapshotAssertion) -> None:
    stripe = shapes_billing.customer(
        id="cus_test", created=1_793_520_000, name="Crestline Fastener Corp.",
        email="laura.donovan50@outlook.com", phone="(312) 555-0142",
        address=shapes_billing.address(line1="410 W Lake St", city="Chicago", state="IL",
                                       postal_code="60606", country="US"),
        metadata={"p21_customer_id": "100042"},
    )  # fmt: skip
    assert customers.metadata_customer_id(stripe) == 100042
    assert snapshot == asdict(customers.customer_draft(stripe))


def test_every_official_shape_parses() -> None:
    resource = json.loads(FIXTURES.read_text())["resources"]["customer"]
    draft = customers.customer_draft(resource)
    assert draft.name and len(draft.name) <= customers.NAME_LIMIT
    customers.metadata_customer_id(resource)
    customers.trades_under_another_name(resource)
