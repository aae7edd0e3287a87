"""The generator is deterministic and realistic: every required kind appears, money is right in
every currency, payouts add up, and the customers agree with the P21 sandbox's seed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stripe_p21.sandbox.p21.seed import generate as p21_generate
from stripe_p21.sandbox.scenarios import (
    FORMAT_VERSION,
    QUEUES,
    Scenario,
    ScenarioSpec,
    Truth,
    generate,
    sales,
    set_pieces,
)
from stripe_p21.sandbox.scenarios.money import as_decimal
from stripe_p21.sandbox.scenarios.risk import CLOSED_REASONS
from stripe_p21.sandbox.scenarios.sim import Simulation
from stripe_p21.sandbox.scenarios.world import World
from stripe_p21.sandbox.stripe.currency import exponent
from tests.scenarios.conftest import START


def _latest(scenario: Scenario, kind: str) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for step in scenario.steps:
        if step.obj["object"] == kind:
            latest[step.obj["id"]] = step.obj
    return list(latest.values())


def _events(scenario: Scenario) -> Counter[str]:
    return Counter(step.event_type for step in scenario.steps if step.event_type)


def test_same_seed_same_scenario_and_truth(week: Scenario, tmp_path: Path) -> None:
    again = generate(ScenarioSpec(seed=7, days=7, start=START))
    assert again.steps == week.steps
    first, second = week.truth.write(tmp_path / "a.json"), again.truth.write(tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()


def test_other_seed_other_scenario(week: Scenario) -> None:
    other = generate(ScenarioSpec(seed=8, days=7, start=START))
    assert [s.obj["id"] for s in other.steps] != [s.obj["id"] for s in week.steps]
    assert other.truth.as_json() != week.truth.as_json()


def test_every_required_kind_of_event_appears(week: Scenario) -> None:
    events = _events(week)
    required = {
        "customer.created", "payment_intent.succeeded", "charge.succeeded", "charge.failed",
        "charge.pending", "refund.created", "charge.refunded", "charge.dispute.created",
        "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated",
        "charge.dispute.closed", "review.opened", "review.closed",
        "radar.early_fraud_warning.created", "radar.early_fraud_warning.updated",
        "payout.paid", "payout.reconciliation_completed", "customer.subscription.created",
        "customer.subscription.deleted", "invoice.paid", "invoice.payment_failed",
    }  # fmt: skip
    assert required <= set(events)


def test_radar_disputes_and_subscriptions_cover_every_outcome(week: Scenario) -> None:
    closed = {r["closed_reason"] for r in _latest(week, "review")}
    assert closed == set(CLOSED_REASONS)
    assert {d["status"] for d in _latest(week, "dispute")} >= {"won", "lost", "warning_closed"}
    risk = {c["outcome"]["risk_level"] for c in _latest(week, "charge")}
    assert {"normal", "elevated", "highest"} <= risk
    subs = {s["status"] for s in _latest(week, "subscription")}
    assert {"active", "past_due", "trialing", "canceled"} <= subs
    methods = {c["payment_method_details"]["type"] for c in _latest(week, "charge")}
    assert methods == {"card", "us_bank_account"}
    payouts = _latest(week, "payout")
    assert any(p["automatic"] for p in payouts)
    assert sum(1 for p in payouts if not p["automatic"]) == 1


def test_zero_and_three_decimal_currencies(week: Scenario) -> None:
    charges = _latest(week, "charge")
    currencies = {c["currency"] for c in charges}
    assert {"usd", "jpy", "kwd"} <= currencies
    for charge in charges:
        if exponent(charge["currency"]) == 3:
            assert charge["amount"] % 10 == 0
    orders = week.truth.as_json()["documents"]["orders"]
    jpy = next(o for o in orders if o["currency"] == "jpy")
    kwd = next(o for o in orders if o["currency"] == "kwd")
    assert jpy["amount"] == str(jpy["amount_minor"])
    assert kwd["amount"] == f"{Decimal(kwd['amount_minor']) / 1000:.3f}"
    assert as_decimal(12340, "kwd") == "12.340"


def test_refunds_never_exceed_their_charge(week: Scenario) -> None:
    refunded: dict[str, int] = defaultdict(int)
    for ref in _latest(week, "refund"):
        refunded[ref["charge"]] += ref["amount"]
    charges = {c["id"]: c for c in _latest(week, "charge")}
    assert any(len(c["refunds"]["data"]) >= 2 for c in charges.values())
    assert any(c["refunded"] for c in charges.values())
    for charge_id, total in refunded.items():
        assert total <= charges[charge_id]["amount"]
        assert charges[charge_id]["amount_refunded"] == total


def test_payout_transactions_add_up(week: Scenario) -> None:
    linked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for step in week.steps:
        if step.payout is not None:
            linked[step.payout].append(step.obj)
    automatic = [p for p in _latest(week, "payout") if p["automatic"]]
    assert automatic
    for payout in automatic:
        txns = linked[payout["id"]]
        assert sum(t["net"] for t in txns) == payout["amount"]
        for txn in txns:
            assert sum(d["amount"] for d in txn["fee_details"]) == txn["fee"]
            assert txn["net"] == txn["amount"] - txn["fee"]


def test_truth_file_schema(week: Scenario, tmp_path: Path) -> None:
    truth = json.loads(week.truth.write(tmp_path / "truth.json").read_text())
    assert truth["format_version"] == FORMAT_VERSION
    assert set(truth) == {"format_version", "scenario", "customers", "documents",
                          "reconciliation", "exceptions"}  # fmt: skip
    assert set(truth["documents"]) == {"orders", "payments", "credit_memos", "gl_entries"}
    for doc in truth["documents"]["orders"] + truth["documents"]["credit_memos"]:
        assert isinstance(doc["amount"], str) and doc["currency"]
    for entry in truth["documents"]["gl_entries"]:
        debit = sum(Decimal(line["debit"]) for line in entry["lines"])
        credit = sum(Decimal(line["credit"]) for line in entry["lines"])
        assert debit == credit
    assert {r["status"] for r in truth["reconciliation"]} >= {"matched", "needs_review"}
    assert {e["queue"] for e in truth["exceptions"]} == set(QUEUES)


def test_customers_agree_with_the_p21_seed(week: Scenario) -> None:
    p21 = {c.customer_id: c for c in p21_generate(21).customers}
    links = week.truth.as_json()["customers"]
    variants = {link["variant"] for link in links}
    assert variants == {"identical", "typo", "legal_suffix", "abbreviation", "dba", "free_mail",
                        "new"}  # fmt: skip
    p21_names = {c.name for c in p21.values()}
    for link in links:
        if link["variant"] == "identical":
            match = p21[link["p21_customer_id"]]
            assert (link["name"], link["email"]) == (match.name, match.email)
        elif link["p21_customer_id"] == "new":
            assert link["name"] not in p21_names
        else:
            assert (
                link["p21_customer_id"] in p21 and link["name"] != p21[link["p21_customer_id"]].name
            )
    stripe_ids = {c["id"] for c in _latest(week, "customer")}
    assert stripe_ids == {link["stripe_customer_id"] for link in links}


def _payments(scenario: Scenario, key: str) -> list[dict[str, Any]]:
    return [p for p in scenario.truth.as_json()["documents"]["payments"] if key in p]


def test_payments_of_existing_p21_orders(week: Scenario) -> None:
    seed = p21_generate(21, today=START.date())
    orders = {o.order_no: o for o in seed.orders}
    charges = {c["id"]: c for c in _latest(week, "charge")}
    paid = _payments(week, "p21_order_no")
    assert paid and _payments(week, "p21_invoice_no")
    assert len({p["p21_order_no"] for p in paid}) == len(paid)  # each order is paid once
    for payment in paid:
        order = orders[payment["p21_order_no"]]
        assert "p21_invoice_no" not in payment
        assert payment["p21_customer_id"] == order.customer_id
        assert payment["currency"] == "usd" and payment["amount"] == f"{order.open_total:.2f}"
        assert payment["amount_minor"] == int(order.open_total * 100)
        assert order.order_date < START.date()
        charge = charges[payment["stripe_charge_id"]]
        assert charge["payment_intent"] == payment["stripe_payment_intent_id"]
        assert charge["metadata"] == {"p21_order_no": order.order_no,
                                      "p21_customer_id": str(order.customer_id)}  # fmt: skip
        assert (charge["amount"], charge["currency"]) == (payment["amount_minor"], "usd")
        assert charge["status"] == "succeeded" and not charge["refunded"]


def test_invoice_payments_are_kept(week: Scenario) -> None:
    invoices = {i.invoice_no: i for i in p21_generate(21).invoices}
    for payment in _payments(week, "p21_invoice_no"):
        invoice = invoices[payment["p21_invoice_no"]]
        assert "p21_order_no" not in payment
        assert payment["amount"] == f"{invoice.total - invoice.paid:.2f}"


def test_order_payments_are_not_refunded_or_disputed(week: Scenario) -> None:
    paid = {p["stripe_charge_id"] for p in week.truth.as_json()["documents"]["payments"]}
    assert not paid & {r["charge"] for r in _latest(week, "refund")}
    assert not paid & {d["charge"] for d in _latest(week, "dispute")}
    memos = week.truth.as_json()["documents"]["credit_memos"]
    assert memos and not paid & {m["stripe_charge_id"] for m in memos}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_kinds_of_payment_in_any_five_day_scenario(seed: int) -> None:
    scenario = generate(ScenarioSpec(seed=seed, days=5, start=START))
    assert _payments(scenario, "p21_order_no") and _payments(scenario, "p21_invoice_no")
    assert "order_payment" in dict(set_pieces())


def test_a_long_scenario_never_pays_an_order_twice() -> None:
    scenario = generate(ScenarioSpec(seed=7, days=120, start=START))
    numbers = [p["p21_order_no"] for p in _payments(scenario, "p21_order_no")]
    assert len(numbers) == len(set(numbers)) <= 40


def test_when_every_order_is_paid_an_invoice_is_paid_instead() -> None:
    start = int(START.timestamp())
    world = World(Simulation(1, start, start + 86_400), p21_generate(21, orders=1), Truth({}))
    sales.order_payment(world)
    sales.order_payment(world)
    first, second = world.truth.payments
    assert first["p21_order_no"] == "1000001" and "p21_invoice_no" in second


def test_a_payment_names_an_invoice_or_an_order() -> None:
    truth = Truth({})
    doc = {"stripe_charge_id": "ch_1", "currency": "usd"}
    for bad in (doc, {**doc, "p21_invoice_no": "900001", "p21_order_no": "1000001"}):
        with pytest.raises(ValueError, match="either"):
            truth.payment(bad)
