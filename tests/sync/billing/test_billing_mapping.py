"""The pure billing mapping: a paid subscription invoice's lines (with their service period) and
the minimal P21 representation of a subscription; every official invoice/subscription shape
parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.pipeline.mapping import billing
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.sandbox.stripe import shapes_billing

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
MAPPING = load_mapping("config/mapping.yaml")
START, MONTH = 1_793_520_000, 30 * 86_400


def _invoice(*, item_metadata: dict[str, str] | None = None) -> dict[str, object]:
    line = shapes_billing.invoice_line(
        id="il_test", invoice="in_test", amount=49_900, currency="usd",
        period=(START, START + MONTH), description="Vendor-managed inventory service (monthly)",
        metadata=item_metadata or {},
    )  # fmt: skip
    return shapes_billing.invoice(
        id="in_test", created=START, customer="cus_test", currency="usd", lines=[line],
        subscription="sub_test",
    )  # fmt: skip


def test_subscription_invoice_lines_keep_the_service_period(snapshot: SnapshotAssertion) -> None:
    lines = billing.invoice_lines(_invoice(), [], MAPPING)
    assert [(ln.item_id, str(ln.unit_price)) for ln in lines] == [("MISC-STRIPE", "499.00")]
    assert snapshot == billing.service_periods(lines)


def test_item_named_in_metadata_wins() -> None:
    invoice = _invoice(item_metadata={"p21_item_id": "sub-plan"})
    assert billing.requested_items(invoice) == ["sub-plan"]
    lines = billing.invoice_lines(invoice, ["SUB-PLAN"], MAPPING)
    assert [(ln.item_id, ln.rule) for ln in lines] == [("SUB-PLAN", "metadata_item_id")]


def test_zero_lines_are_left_out() -> None:
    invoice = _invoice()
    invoice["lines"]["data"][0]["amount"] = 0  # type: ignore[index]
    assert billing.invoice_lines(invoice, [], MAPPING) == []


@pytest.mark.parametrize("representation", ["customer_note", "user_defined_fields"])
def test_subscription_representation(representation: str, snapshot: SnapshotAssertion) -> None:
    config = MAPPING.model_copy(
        update={"subscriptions": MAPPING.subscriptions.model_copy(
            update={"representation": representation})}
    )  # fmt: skip
    item = {"price": {"nickname": "VMI monthly", "id": "price_1"},
            "current_period_end": START + MONTH}  # fmt: skip
    sub = shapes_billing.subscription(id="sub_test", created=START, customer="cus_test",
                                      currency="usd", items=[item])  # fmt: skip
    assert snapshot == billing.subscription_fields(billing.subscription_state(sub), config)


@pytest.mark.parametrize("kind", ["invoice", "subscription"])
def test_every_official_shape_parses(kind: str) -> None:
    resource = json.loads(FIXTURES.read_text())["resources"][kind]
    if kind == "invoice":
        billing.invoice_lines(resource, billing.requested_items(resource), MAPPING)
    else:
        billing.subscription_fields(billing.subscription_state(resource), MAPPING)


def test_order_lines_carry_the_service_period_as_extended_desc() -> None:
    invoice = _invoice()
    charge = {"id": "ch_test", "created": START, "currency": "usd", "amount": 49_900,
              "amount_captured": 49_900}  # fmt: skip
    lines = billing.invoice_lines(invoice, [], MAPPING)
    draft = billing.invoice_order(invoice, charge, customer_id=100018, lines=lines,
                                  mapping=MAPPING)  # fmt: skip
    # 08:00 UTC on 1 November and 30 days later are 1 November and 1 December in Chicago.
    assert [(ln.item_id, ln.extended_desc) for ln in draft.lines] == [
        ("MISC-STRIPE", "Service 2026-11-01 through 2026-11-30")
    ]


@pytest.mark.parametrize(
    ("period", "text"),
    [
        # 01:00 UTC on 1 November is still 31 October in Chicago (the company's day).
        ({"start": START - 7 * 3600, "end": None}, "Service from 2026-10-31"),
        ({"start": None, "end": START + MONTH}, "Service through 2026-11-30"),
        ({}, None),
        (None, None),
    ],
)
def test_a_partly_known_period_says_what_is_known(
    period: dict[str, int | None] | None, text: str | None
) -> None:
    invoice = _invoice()
    invoice["lines"]["data"][0]["period"] = period  # type: ignore[index]
    [line] = billing.invoice_lines(invoice, [], MAPPING)
    assert billing.order_line(line).extended_desc == text
