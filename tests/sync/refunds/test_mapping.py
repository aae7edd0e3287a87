"""Pure refund mapping: allocation exact to the minor unit (property-tested), the three
strategies, snapshots of RMA drafts for the scenario's refunds (USD, KWD) and a JPY refund, and
every official refund shape from fixtures3.json."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.pipeline.mapping.money import to_decimal, to_minor
from stripe_p21.pipeline.mapping.refunds import (
    OriginalLine,
    RefundMappingError,
    allocate_proportional,
    metadata_lines,
    refund_action,
    rma_plan,
)
from stripe_p21.sandbox.scenarios import Scenario, ScenarioSpec, generate
from stripe_p21.sandbox.stripe import shapes_payments

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
MAPPING = load_mapping()


def _config(**refunds: Any) -> MappingConfig:
    return MAPPING.model_copy(update={"refunds": MAPPING.refunds.model_copy(update=refunds)})


@pytest.fixture(scope="module")
def week() -> Scenario:
    return generate(ScenarioSpec(seed=7, days=7, start=datetime(2026, 11, 1, tzinfo=UTC)))


def _original(order: dict[str, Any]) -> tuple[OriginalLine, ...]:
    currency = str(order["currency"])
    return tuple(
        OriginalLine(
            item_id=str(line["item_id"]),
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(str(line["unit_price"])),
            value_minor=to_minor(Decimal(str(line["unit_price"])) * line["quantity"], currency),
        )
        for line in order["lines"]
    )


def _plan_view(refund: dict[str, Any], original: tuple[OriginalLine, ...]) -> dict[str, Any]:
    plan = rma_plan(refund, customer_id=100034, original=original, config=MAPPING)
    draft = asdict(plan.draft)
    credited = sum(
        Decimal(str(ln["unit_price"])) * Decimal(ln["quantity"]) for ln in draft["lines"]
    )
    assert credited == to_decimal(int(refund["amount"]), str(refund["currency"]))
    return {"strategy": plan.strategy, "note": plan.note, "draft": draft}


# --- allocation --------------------------------------------------------------------------


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_proportional_shares_sum_exactly_and_stay_within_one_unit(
    amount: int, weights: list[int]
) -> None:
    shares = allocate_proportional(amount, weights)
    total = sum(weights)
    assert sum(shares) == amount
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share * total - amount * weight) < total  # within one minor unit
        assert share >= 0
        if weight == 0:
            assert share == 0


@given(
    prices=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=8),
    fraction=st.fractions(min_value=0, max_value=1),
    currency=st.sampled_from(["usd", "jpy", "kwd"]),
)
def test_rma_lines_credit_exactly_the_refund(
    prices: list[int], fraction: Any, currency: str
) -> None:
    original = tuple(
        OriginalLine(f"ITEM-{n}", Decimal(1 + n % 3), to_decimal(p, currency), p * (1 + n % 3))
        for n, p in enumerate(prices)
    )
    total = sum(line.value_minor for line in original)
    amount = max(1, int(total * fraction))
    refund = {"id": "re_prop", "amount": amount, "currency": currency, "created": 1793491200}
    plan = rma_plan(refund, customer_id=1, original=original, config=MAPPING)
    credited = sum(
        (Decimal(str(line.quantity)) * Decimal(str(line.unit_price)) for line in plan.draft.lines),
        Decimal(0),
    )
    assert credited == to_decimal(amount, currency)
    assert sum(line.amount_minor for line in plan.lines) == amount


def test_full_refund_returns_original_quantities_and_prices() -> None:
    original = (
        OriginalLine("ELEC-0058", Decimal(1), Decimal("510.930"), 510930),
        OriginalLine("HYD-0033", Decimal(2), Decimal("350.390"), 700780),
    )
    refund = {"id": "re_full", "amount": 1211710, "currency": "kwd", "created": 1793491200}
    plan = rma_plan(refund, customer_id=100034, original=original, config=MAPPING)
    got = [(ln.item_id, ln.quantity, ln.unit_price) for ln in plan.draft.lines]
    assert got == [
        ("ELEC-0058", Decimal(1), Decimal("510.930")),
        ("HYD-0033", Decimal(2), Decimal("350.390")),
    ]


def test_single_item_and_by_metadata_strategies() -> None:
    refund = {"id": "re_one", "amount": 2500, "currency": "usd", "created": 1793491200,
              "metadata": {"line_1_p21_item_id": "FAST-0001", "line_1_amount": "10.00",
                           "line_2_p21_item_id": "WIDGET-001", "line_2_amount": "15.00",
                           "line_2_qty": "3"}}  # fmt: skip
    single = rma_plan(refund, customer_id=1, original=(), config=_config(strategy="single_item"))
    assert [(ln.item_id, ln.unit_price) for ln in single.draft.lines] == [
        ("REFUND-STRIPE", Decimal("25.00"))
    ]
    named = rma_plan(refund, customer_id=1, original=(), config=_config(strategy="by_metadata"))
    assert [(ln.item_id, ln.quantity, ln.unit_price) for ln in named.draft.lines] == [
        ("FAST-0001", Decimal(1), Decimal("10.00")),
        ("WIDGET-001", Decimal(3), Decimal("5.00")),
    ]
    refund["amount"] = 2600
    with pytest.raises(RefundMappingError, match="credit 2500 but the refund is 2600"):
        rma_plan(refund, customer_id=1, original=(), config=_config(strategy="by_metadata"))


def test_by_metadata_without_lines_falls_back_to_proportional() -> None:
    original = (OriginalLine("FAST-0001", Decimal(2), Decimal("5.00"), 1000),)
    refund = {"id": "re_fb", "amount": 400, "currency": "usd", "created": 1793491200}
    plan = rma_plan(
        refund, customer_id=1, original=original, config=_config(strategy="by_metadata")
    )
    assert plan.strategy == "proportional"
    assert plan.note is not None


def test_metadata_lines_refuse_bad_values() -> None:
    with pytest.raises(RefundMappingError):
        metadata_lines({"line_1_p21_item_id": "X", "line_1_amount": "1.234"}, "usd")
    with pytest.raises(RefundMappingError):
        metadata_lines({"line_1_p21_item_id": "X"}, "usd")


def test_no_priced_lines_credit_the_refund_item() -> None:
    refund = {"id": "re_inv", "amount": 727743, "currency": "usd", "created": 1793491200}
    plan = rma_plan(refund, customer_id=100115, original=(), config=MAPPING)
    assert plan.strategy == "single_item"
    assert [ln.item_id for ln in plan.draft.lines] == ["REFUND-STRIPE"]


def test_refund_dates_are_company_dates() -> None:
    # 2026-11-02 03:30 UTC is still 1 November in Chicago
    created = int(datetime(2026, 11, 2, 3, 30, tzinfo=UTC).timestamp())
    refund = {"id": "re_tz", "amount": 100, "currency": "usd", "created": created}
    plan = rma_plan(refund, customer_id=1, original=(), config=MAPPING)
    assert plan.draft.order_date is not None and plan.draft.order_date.isoformat() == "2026-11-01"


@pytest.mark.parametrize(
    ("status", "action"),
    [("succeeded", "credit"), ("pending", "credit"), ("requires_action", "wait"),
     ("failed", "void"), ("canceled", "void"), (None, "wait")],
)  # fmt: skip
def test_refund_action_by_status(status: str | None, action: str) -> None:
    assert refund_action({"status": status}) == action


# --- snapshots on the scenario's refunds -------------------------------------------------


def test_rma_drafts_of_the_scenario_refunds(week: Scenario, snapshot: SnapshotAssertion) -> None:
    orders = {o["stripe_charge_id"]: o for o in week.truth.orders}
    views = {}
    for step in week.steps:
        if step.event_type == "refund.created" and step.obj["charge"] in orders:
            views[step.obj["id"]] = _plan_view(step.obj, _original(orders[step.obj["charge"]]))
    assert {v["draft"]["currency_id"] for v in views.values()} == {"USD", "KWD"}
    assert len(views) == len(week.truth.credit_memos)
    assert views == snapshot


def test_rma_draft_of_a_jpy_refund(week: Scenario, snapshot: SnapshotAssertion) -> None:
    order = next(o for o in week.truth.orders if o["currency"] == "jpy")
    refund = shapes_payments.refund(
        id="re_jpyPartialRefund000001", created=1793700000, amount=int(order["amount_minor"]) // 3,
        currency="jpy", charge=order["stripe_charge_id"],
    )  # fmt: skip
    view = _plan_view(refund, _original(order))
    assert all("." not in str(ln["unit_price"]) for ln in view["draft"]["lines"])
    assert view == snapshot


# --- every official refund shape ---------------------------------------------------------


def _fixture(name: str) -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return dict(resources[name])


def test_fixture_refund_parses() -> None:
    refund = _fixture("refund")
    assert refund_action(refund) == "credit"
    original = (OriginalLine("FAST-0001", Decimal(1), Decimal("1.00"), 100),)
    plan = rma_plan(refund, customer_id=1, original=original, config=MAPPING)
    assert plan.draft.po_no == refund["id"]
    assert plan.amount_minor == refund["amount"]
