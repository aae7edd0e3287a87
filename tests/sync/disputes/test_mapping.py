"""Pure dispute mapping: order signals by status, the money of each side, balanced GL lines
(USD, JPY, KWD), period choice, snapshots on the scenario's disputes, and the official shape."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.connectors.p21.schemas import Period
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.pipeline.mapping.disputes import (
    dispute_gl_lines,
    dispute_journal,
    dispute_money,
    dispute_signal,
    is_inquiry,
    memo,
    open_period_for,
    review_reason,
)
from stripe_p21.sandbox.scenarios import Scenario, ScenarioSpec, generate

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
MAPPING = load_mapping()
KINDS = {
    "charge.dispute.funds_withdrawn": "withdrawn",
    "charge.dispute.funds_reinstated": "reinstated",
}


@pytest.fixture(scope="module")
def week() -> Scenario:
    return generate(ScenarioSpec(seed=7, days=7, start=datetime(2026, 11, 1, tzinfo=UTC)))


def _txn(amount: int, fee: int, currency: str = "usd", n: int = 1) -> dict[str, Any]:
    return {"id": f"txn_{n}", "amount": amount, "fee": fee, "currency": currency,
            "created": 1793600000 + n, "object": "balance_transaction"}  # fmt: skip


def _net(lines: Any) -> Decimal:
    return sum((Decimal(str(line.amount)) for line in lines), Decimal(0))


@pytest.mark.parametrize(
    ("status", "signal"),
    [("needs_response", "hold"), ("under_review", "hold"), ("warning_needs_response", "hold"),
     ("warning_under_review", "hold"), ("won", "clear"), ("warning_closed", "clear"),
     ("prevented", "clear"), ("lost", "cancel"), ("something_new", "hold")],
)  # fmt: skip
def test_dispute_signal_by_status(status: str, signal: str) -> None:
    assert dispute_signal({"status": status}) == signal


def test_inquiries_are_told_apart() -> None:
    assert is_inquiry({"status": "warning_needs_response"})
    assert review_reason({"status": "warning_needs_response"}) == "inquiry"
    assert review_reason({"status": "needs_response"}) == "dispute_needs_response"


@pytest.mark.parametrize(
    ("currency", "amount", "fee", "losses", "fees", "clearing"),
    [("usd", -631658, 1500, "6316.58", "15.00", "-6331.58"),
     ("jpy", -151000, 2000, "151000", "2000", "-153000"),
     ("kwd", -1804760, 4600, "1804.760", "4.600", "-1809.360")],
)  # fmt: skip
def test_withdrawal_lines_balance_in_every_currency(
    currency: str, amount: int, fee: int, losses: str, fees: str, clearing: str
) -> None:
    dispute = {"id": "dp_x", "amount": -amount, "currency": currency,
               "balance_transactions": [_txn(amount, fee, currency)]}  # fmt: skip
    money = dispute_money(dispute, "withdrawn")
    lines = dispute_gl_lines(money, dispute_id="dp_x", charge_id="ch_x", config=MAPPING)
    assert [(ln.account_number, str(ln.amount)) for ln in lines] == [
        ("6160", losses), ("6170", fees), ("1015", clearing),
    ]  # fmt: skip
    assert _net(lines) == 0


def test_reinstatement_reverses_the_amount_only() -> None:
    dispute = {"id": "dp_w", "amount": 10000, "currency": "usd",
               "balance_transactions": [_txn(-10000, 1500), _txn(10000, 0, n=2)]}  # fmt: skip
    withdrawn, back = dispute_money(dispute, "withdrawn"), dispute_money(dispute, "reinstated")
    assert (withdrawn.amount_minor, withdrawn.fee_minor) == (-10000, 1500)
    assert (back.amount_minor, back.fee_minor, back.balance_transactions) == (10000, 0, ("txn_2",))
    lines = dispute_gl_lines(back, dispute_id="dp_w", charge_id="ch_w", config=MAPPING)
    assert [(ln.account_number, str(ln.amount)) for ln in lines] == [
        ("6160", "-100.00"), ("1015", "100.00"),
    ]  # fmt: skip


def test_money_without_balance_transactions_is_estimated() -> None:
    money = dispute_money({"id": "dp_e", "amount": 5000, "currency": "USD"}, "withdrawn")
    assert (money.amount_minor, money.fee_minor, money.estimated, money.currency) == (
        -5000, 0, True, "usd",
    )  # fmt: skip


def test_period_is_the_open_one_holding_the_day_else_the_next() -> None:
    periods = [
        Period(2026, 10, closed=True), Period(2026, 11, closed=False),
        Period(2026, 12, closed=False),
    ]  # fmt: skip
    assert open_period_for(date(2026, 11, 20), periods) == periods[1]
    assert open_period_for(date(2026, 10, 20), periods) == periods[1]
    assert open_period_for(date(2027, 1, 2), periods) is None
    dated = [
        Period(2026, 5, closed=False, begins=datetime(2026, 11, 1, tzinfo=UTC),
               ends=datetime(2026, 11, 30, tzinfo=UTC)),
    ]  # fmt: skip
    assert open_period_for(date(2026, 11, 20), dated) == dated[0]


def test_scenario_dispute_entries(week: Scenario, snapshot: SnapshotAssertion) -> None:
    views = {}
    for step in week.steps:
        kind = KINDS.get(step.event_type or "")
        if kind is None:
            continue
        dispute = step.obj
        money = dispute_money(dispute, kind)  # type: ignore[arg-type]
        assert not money.estimated
        lines = dispute_gl_lines(
            money, dispute_id=dispute["id"], charge_id=dispute["charge"], config=MAPPING
        )
        assert _net(lines) == 0
        entry = dispute_journal(
            lines, period=Period(2026, 11, closed=False), day=date(2026, 11, 5),
            dispute_id=dispute["id"], kind=kind, config=MAPPING,  # type: ignore[arg-type]
        )  # fmt: skip
        views[f"{dispute['id']} {kind}"] = {"entry": asdict(entry), "memo": memo(lines, money)}
    assert len(views) == 4  # won (withdrawn + reinstated), lost, review closed as disputed
    assert views == snapshot


def test_fixture_dispute_parses() -> None:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    dispute = dict(resources["dispute"])
    assert dispute_signal(dispute) in ("hold", "clear", "cancel")
    money = dispute_money(dispute, "withdrawn")
    assert money.amount_minor == -int(dispute["amount"])
    lines = dispute_gl_lines(money, dispute_id=dispute["id"], charge_id="ch_x", config=MAPPING)
    assert _net(lines) == 0
