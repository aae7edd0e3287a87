"""The pure order mapping: realistic web-shop charges (USD, JPY zero-decimal, KWD three-decimal,
ACH) become snapshot-reviewed P21 orders and the brief's field table; every official charge and
payment-intent shape parses."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.pipeline.mapping import orders
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.sandbox.stripe import shapes_payments as shapes

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
MAPPING = load_mapping("config/mapping.yaml")
KNOWN = ["WIDGET-001", "ELEC-0058", "HYD-0033", "FAST-0101"]


def _charge(amount: int, currency: str, metadata: dict[str, str], **fields: Any) -> dict[str, Any]:
    charge = shapes.charge(id=f"ch_test_{currency}", created=1_793_500_000, amount=amount,
                           currency=currency, customer="cus_test", metadata=metadata,
                           payment_intent=f"pi_test_{currency}", **fields)  # fmt: skip
    charge["balance_transaction"] = shapes.balance_transaction(
        id="txn_test", created=1_793_520_000, amount=amount, currency=currency, source=charge["id"]
    )
    return charge


def _lines(*lines: tuple[str, str, int, str]) -> dict[str, str]:
    meta = {"ecommerce_order_id": "WEB-100002", "source": "webshop", "line_count": str(len(lines))}
    for n, (key, item, qty, price) in enumerate(lines, start=1):
        meta |= {f"line_{n}_{key}": item, f"line_{n}_qty": str(qty), f"line_{n}_unit_price": price}
    return meta


CASES = {
    "usd": _charge(
        10_250,
        "usd",
        _lines(("p21_item_id", "WIDGET-001", 4, "25.00"), ("sku", "fast-0101", 1, "2.50")),
    ),
    "jpy": _charge(151_000, "jpy", _lines(("sku", "ELEC-0058", 2, "75500"))),
    "kwd": _charge(
        1_211_710,
        "kwd",
        _lines(("p21_item_id", "ELEC-0058", 1, "510.930"), ("sku", "HYD-0033", 2, "350.390")),
    ),
    "ach": _charge(
        2_500,
        "usd",
        _lines(("p21_item_id", "WIDGET-001", 1, "25.00")),
        payment_method_details={"type": "us_bank_account", "us_bank_account": {}},
    ),
}


def _mapped(charge: dict[str, Any]) -> tuple[Any, orders.LineMapping]:
    requested = orders.requested_lines(charge["metadata"])
    mapped = orders.map_lines(requested, KNOWN, MAPPING.orders, total_minor=charge["amount"],
                              currency=charge["currency"])  # fmt: skip
    draft = orders.sales_order(charge, customer_id=100034, lines=mapped.lines, mapping=MAPPING)
    return draft, mapped


@pytest.mark.parametrize("case", sorted(CASES))
def test_charge_becomes_an_order(case: str, snapshot: SnapshotAssertion) -> None:
    draft, mapped = _mapped(CASES[case])
    assert mapped.unknown == ()
    table = orders.field_table(draft, "1000123", MAPPING)
    assert table["TotalAmount"] == table["PaymentAmount"]
    assert snapshot == {"draft": asdict(draft), "rules": mapped.rules, "fields": table}


def test_amounts_follow_the_currency_exponent() -> None:
    tables = {c: orders.field_table(_mapped(CASES[c])[0], "1", MAPPING) for c in CASES}
    assert tables["jpy"]["PaymentAmount"] == "151000"
    assert tables["kwd"]["PaymentAmount"] == "1211.710"
    assert tables["usd"]["PaymentAmount"] == "102.50"


def test_dates_are_company_days() -> None:
    late = _charge(2_500, "usd", {}) | {"created": 1_793_502_000}  # 2026-11-01 03:00 UTC
    late["balance_transaction"] = late["balance_transaction"] | {"created": 1_793_502_000}
    draft = orders.sales_order(late, customer_id=1, lines=(), mapping=MAPPING)
    assert str(draft.order_date) == "2026-10-31"  # still the evening before in Chicago
    assert draft.payment is not None and str(draft.payment.payment_date) == "2026-10-31"


def test_unknown_item_is_reported_not_guessed() -> None:
    meta = _lines(("sku", "SAMPLE-PACK", 1, "10.00"), ("p21_item_id", "WIDGET-001", 1, "25.00"))
    requested = orders.requested_lines(meta)
    mapped = orders.map_lines(requested, KNOWN, MAPPING.orders, total_minor=3500, currency="usd")
    assert [u.requested for u in mapped.unknown] == ["SAMPLE-PACK"]


def test_no_lines_or_a_shortfall_use_the_fallback_item() -> None:
    bare = orders.map_lines([], KNOWN, MAPPING.orders, total_minor=4_999, currency="usd")
    assert [(ln.item_id, ln.unit_price) for ln in bare.lines] == [("MISC-STRIPE", Decimal("49.99"))]
    requested = orders.requested_lines(_lines(("sku", "WIDGET-001", 1, "25.00")))
    short = orders.map_lines(requested, KNOWN, MAPPING.orders, total_minor=3_000, currency="usd")
    assert short.rules == ("sku", "adjustment") and short.lines[1].unit_price == Decimal("5.00")


@pytest.mark.parametrize(
    ("change", "route"),
    [
        ({}, "new_order"),
        ({"status": "pending", "paid": False}, "skip"),
        ({"status": "failed", "paid": False}, "skip"),
        ({"metadata": {"p21_order_no": "1000011"}}, "order_payment"),
        ({"metadata": {"p21_invoice_no": "900132"}}, "invoice_payment"),
        ({"metadata": {"stripe_invoice": "in_123"}}, "billing"),
    ],
)
def test_routes(change: dict[str, Any], route: str) -> None:
    assert orders.route_charge(CASES["usd"] | change)[0] == route


def test_elevated_risk_without_review() -> None:
    risky = CASES["usd"] | {"outcome": shapes.outcome("elevated", 68)}
    assert orders.elevated_without_review(risky)
    assert not orders.elevated_without_review(risky | {"review": "prv_1"})
    assert not orders.elevated_without_review(CASES["usd"])


@pytest.mark.parametrize("kind", ["charge", "payment_intent"])
def test_every_official_shape_parses(kind: str) -> None:
    resource = json.loads(FIXTURES.read_text())["resources"][kind]
    charge = (
        resource if kind == "charge" else {**resource, "id": "ch_from_pi", "status": "succeeded"}
    )
    charge = {**charge, "created": int(charge.get("created") or 0)}
    route, _ = orders.route_charge(charge)
    assert route in ("skip", "billing", "order_payment", "invoice_payment", "new_order")
    requested = orders.requested_lines(charge.get("metadata") or {})
    mapped = orders.map_lines(requested, [], MAPPING.orders, total_minor=int(charge["amount"]),
                              currency=str(charge["currency"]))  # fmt: skip
    draft = orders.sales_order(charge, customer_id=1, lines=mapped.lines, mapping=MAPPING)
    assert draft.po_no == charge["id"] and draft.payment is not None
