"""Every resource shape we touch in Stripe's fixtures3.json round-trips through the sandbox, and the
objects the sandbox makes itself have exactly the fixtures' fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stripe

from stripe_p21.sandbox.stripe import StripeSandbox
from stripe_p21.sandbox.stripe import shapes_billing as billing
from stripe_p21.sandbox.stripe import shapes_payments as payments
from stripe_p21.sandbox.stripe import shapes_risk as risk

FIXTURES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "fixtures3_erp.json").read_text()
)["resources"]

SERVICES = {
    "balance_transaction": "balance_transactions",
    "charge": "charges",
    "customer": "customers",
    "dispute": "disputes",
    "event": "events",
    "invoice": "invoices",
    "payment_intent": "payment_intents",
    "payout": "payouts",
    "refund": "refunds",
    "review": "reviews",
    "subscription": "subscriptions",
}


def _service(client: stripe.StripeClient, kind: str) -> Any:
    if kind == "radar.early_fraud_warning":
        return client.v1.radar.early_fraud_warnings
    return getattr(client.v1, SERVICES[kind])


@pytest.mark.parametrize("kind", sorted(FIXTURES))
def test_fixture_round_trips_through_the_library(
    kind: str, sandbox: StripeSandbox, client: stripe.StripeClient
) -> None:
    fixture = FIXTURES[kind]
    sandbox.store.put(fixture)
    fetched = _service(client, kind).retrieve(fixture["id"])
    assert fetched.to_dict(for_json=True) == fixture


def _built(kind: str) -> dict[str, Any]:
    common: dict[str, Any] = {"id": "x_1", "created": 1_767_225_600}
    money = {**common, "amount": 1000, "currency": "usd"}
    builders: dict[str, Any] = {
        "balance_transaction": lambda: payments.balance_transaction(**money, source="ch_1"),
        "charge": lambda: payments.charge(**money),
        "customer": lambda: billing.customer(**common),
        "dispute": lambda: risk.dispute(**money, charge="ch_1"),
        "invoice": lambda: billing.invoice(**common, customer="cus_1", currency="usd", lines=[]),
        "payment_intent": lambda: payments.payment_intent(**money, client_secret="s"),
        "payout": lambda: risk.payout(**money),
        "radar.early_fraud_warning": lambda: risk.early_fraud_warning(**common, charge="ch_1"),
        "refund": lambda: payments.refund(**money, charge="ch_1"),
        "review": lambda: risk.review(**common, charge="ch_1"),
        "subscription": lambda: billing.subscription(
            **common, customer="cus_1", currency="usd", items=[]
        ),
    }
    return dict(builders[kind]())


@pytest.mark.parametrize("kind", sorted(set(FIXTURES) - {"event"}))
def test_builders_have_exactly_the_fixture_fields(kind: str) -> None:
    assert set(_built(kind)) == set(FIXTURES[kind])


def test_objects_created_through_the_api_have_the_fixture_fields(
    client: stripe.StripeClient,
) -> None:
    intent = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    refund = client.v1.refunds.create(params={"charge": charge.id})
    txn = client.v1.balance_transactions.retrieve(str(charge.balance_transaction))
    customer = client.v1.customers.create(params={"name": "Shape Co"})
    event = client.v1.events.list(params={"limit": 1}).data[0]
    for kind, obj in [
        ("payment_intent", intent), ("charge", charge), ("refund", refund),
        ("balance_transaction", txn), ("customer", customer), ("event", event),
    ]:  # fmt: skip
        assert set(obj.to_dict()) == set(FIXTURES[kind]), kind
