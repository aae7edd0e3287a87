"""Pure payout mapping: the GL entry and the reconciliation of realistic scenario payouts (USD
with a dispute, JPY, KWD, a manual payout) agree with the scenario's truth, are snapshotted, and
every official Stripe shape of a payout and a balance transaction parses."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stripe_p21.connectors.p21.schemas import Period
from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.pipeline.mapping.payouts import (
    BalanceTxn,
    PayoutShapeError,
    PayoutView,
    choose_period,
    journal_entry,
    payout_journal,
    payout_transactions,
)
from stripe_p21.pipeline.mapping.reconcile import LinkFact, reconcile_payout
from stripe_p21.sandbox.scenarios import ScenarioSpec, generate
from tests.sync.payouts.gl_views import command_view
from tests.sync.payouts.scenario_payouts import START, correct_links, one, payouts

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
NOVEMBER = Period(
    2026, 11, False, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
)


@pytest.fixture(scope="module")
def mapping() -> MappingConfig:
    return load_mapping(Path(__file__).parents[3] / "config" / "mapping.yaml")


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _entry_view(payout: Any, mapping: MappingConfig) -> dict[str, Any]:
    journal = payout_journal(payout.view, payout.txns, mapping)
    entry = journal_entry(journal, NOVEMBER, journal.day, mapping)
    return {
        "truth_form": journal.as_truth(),
        "p21": command_view(entry),
    }  # fmt: skip


@pytest.mark.parametrize(("seed", "days"), [(7, 7), (11, 12)])
def test_every_scenario_payout_matches_the_truth(
    seed: int, days: int, mapping: MappingConfig
) -> None:
    scenario = generate(ScenarioSpec(seed=seed, days=days, start=START))
    found = payouts(scenario)
    assert {p.view.currency for p in found} >= {"usd", "jpy", "kwd"}
    for payout in found:
        journal = payout_journal(payout.view, payout.txns, mapping)
        assert journal.as_truth() == payout.gl_truth
        assert sum(line.signed_minor for line in journal.lines) == 0
        result = reconcile_payout(payout.view, payout.txns, correct_links(payout, scenario))
        assert result.as_truth() == payout.reconciliation_truth


@pytest.mark.parametrize("currency", ["usd", "jpy", "kwd"])
def test_gl_entry_snapshot(
    currency: str, mapping: MappingConfig, snapshot_json: SnapshotAssertion
) -> None:
    assert _entry_view(one(currency), mapping) == snapshot_json


def test_manual_payout_moves_clearing_to_bank_only(
    mapping: MappingConfig, snapshot_json: SnapshotAssertion
) -> None:
    manual = one("usd", itemised=False)
    view = _entry_view(manual, mapping)
    assert [line["role"] for line in view["truth_form"]["lines"]] == ["bank", "stripe_clearing"]
    result = reconcile_payout(manual.view, manual.txns, {})
    assert (result.status, result.transactions, len(result.breaks)) == ("needs_review", 0, 1)
    assert {
        "entry": view,
        "reconciliation": [asdict(line) for line in result.lines],
    } == snapshot_json


def test_reconciliation_snapshot_with_a_missing_document(snapshot_json: SnapshotAssertion) -> None:
    breaking = next(p for p in payouts() if p.reconciliation_truth["status"] == "breaks")
    result = reconcile_payout(breaking.view, breaking.txns, correct_links(breaking))
    assert [line.result for line in result.breaks] == ["missing_in_p21"]
    assert result.unexplained_minor == 0
    assert [asdict(line) for line in result.lines] == snapshot_json


def test_zero_and_three_decimal_amounts_are_exact(mapping: MappingConfig) -> None:
    for currency, places in (("jpy", 0), ("kwd", 3)):
        payout = one(currency)
        journal = payout_journal(payout.view, payout.txns, mapping)
        entry = journal_entry(journal, NOVEMBER, journal.day, mapping)
        amounts = [Decimal(str(line.amount)) for line in entry.lines]
        assert sum(amounts) == 0
        assert all(-a.as_tuple().exponent == places for a in amounts)  # type: ignore[operator]
        bank = next(line for line in entry.lines if line.account_number == "1010")
        assert bank.amount == Decimal(payout.gl_truth["amount"])


def _txn(**fields: Any) -> dict[str, Any]:
    base = {"id": "txn_1", "object": "balance_transaction", "amount": 10000, "fee": 320,
            "net": 9680, "currency": "usd", "reporting_category": "charge", "type": "charge",
            "source": "ch_1", "exchange_rate": None,
            "fee_details": [{"amount": 320, "currency": "usd", "type": "stripe_fee"}]}  # fmt: skip
    return base | fields


def _plain(
    txn_id: str, amount: int, category: str, kind: str, source: str | None
) -> dict[str, Any]:
    """A balance transaction without fees."""
    return _txn(
        id=txn_id, amount=amount, fee=0, net=amount, reporting_category=category, type=kind,
        source=source, fee_details=[],
    )  # fmt: skip


def _payout(**fields: Any) -> PayoutView:
    base = {"id": "po_1", "object": "payout", "amount": 9680, "currency": "usd",
            "automatic": True, "method": "standard", "status": "paid",
            "reconciliation_status": "completed", "created": 1793577600,
            "arrival_date": 1793664000, "balance_transaction": "txn_po"}  # fmt: skip
    return PayoutView.parse(base | fields)


def test_a_gap_is_booked_and_labelled_as_unexplained(mapping: MappingConfig) -> None:
    payout = _payout(amount=9700)
    txns = payout_transactions(payout, [_txn()])
    journal = payout_journal(payout, txns, mapping)
    assert sum(line.signed_minor for line in journal.lines) == 0
    assert [
        (x.role, x.account, x.signed_minor)
        for x in journal.lines
        if x.role == "unexplained_remainder"
    ] == [("unexplained_remainder", "7100", -20)]
    result = reconcile_payout(
        payout, txns, {"ch_1": [LinkFact("ch_1", "order", "1", 10000, "usd")]}
    )
    assert [(line.result, line.amount_minor) for line in result.lines] == [
        ("matched", 10000),
        ("unexplained_remainder", 20),
    ]
    assert (result.status, result.unexplained_minor) == ("breaks", 20)


def test_fee_types_follow_the_configured_accounts(mapping: MappingConfig) -> None:
    gl = mapping.gl.model_copy(
        update={"fee_accounts": {"stripe_fee": "6150", "application_fee": "6170"}}
    )
    custom = mapping.model_copy(update={"gl": gl})
    details = [{"amount": 300, "type": "stripe_fee"}, {"amount": 20, "type": "application_fee"}]
    payout = _payout()
    journal = payout_journal(
        payout, payout_transactions(payout, [_txn(fee_details=details)]), custom
    )
    assert {(x.role, x.account, x.signed_minor) for x in journal.lines} == {
        ("bank", "1010", 9680), ("card_fees", "6150", 300),
        ("fees_application_fee", "6170", 20), ("stripe_clearing", "1015", -10000),
    }  # fmt: skip


def test_adjustments_fees_and_the_payouts_own_transaction(mapping: MappingConfig) -> None:
    payout = _payout(amount=9680 - 500 - 100)
    listed = [
        _txn(),
        _plain("txn_fee", -500, "fee", "stripe_fee", None),
        _plain("txn_adj", -100, "other_adjustment", "adjustment", "adj_1"),
        _plain("txn_po", -9080, "payout", "payout", "po_1"),
    ]  # fmt: skip
    txns = payout_transactions(payout, listed)
    assert [t.id for t in txns] == ["txn_1", "txn_fee", "txn_adj"]
    journal = payout_journal(payout, txns, mapping)
    assert {(x.role, x.signed_minor) for x in journal.lines} == {
        ("bank", 9080),
        ("card_fees", 820),
        ("other_adjustments", 100),
        ("stripe_clearing", -10000),
    }
    result = reconcile_payout(
        payout, txns, {"ch_1": [LinkFact("ch_1", "payment", "1", 10000, "usd")]}
    )
    assert [line.result for line in result.lines] == [
        "matched",
        "not_synced_kind",
        "not_synced_kind",
    ]
    assert result.status == "matched"


def test_mismatch_fx_and_dispute_labels() -> None:
    payout = _payout(amount=9680 - 2000 - 1500)
    txns = payout_transactions(payout, [
        _txn(),
        _plain("txn_2", -2000, "refund", "refund", "ch_2"),
        _plain("txn_3", -1500, "dispute", "adjustment", "dp_1"),
    ])  # fmt: skip
    links = {
        "ch_1": [LinkFact("ch_1", "order", "1000100", 9000, "eur")],
        "ch_2": [LinkFact("ch_2", "rma", "1000101", 1999, "usd")],
    }
    result = reconcile_payout(payout, txns, links)
    assert [line.result for line in result.lines] == [
        "fx_difference",
        "amount_mismatch",
        "not_synced_kind",
    ]
    assert "90.00 EUR" in (result.lines[0].note or "")
    dispute = {"dp_1": [LinkFact("dp_1", "gl_dispute_withdrawn", "77", 1500, "usd")]}
    assert reconcile_payout(payout, txns[2:], dispute).lines[0].result == "matched"


def test_instant_and_unpaid_payouts() -> None:
    assert not _payout(method="instant").itemised
    assert not _payout(automatic=False).itemised
    assert not _payout(status="in_transit").ready
    assert not _payout(reconciliation_status="in_progress").ready
    assert _payout(automatic=False, reconciliation_status="not_applicable").ready


def test_period_choice() -> None:
    closed = replace(NOVEMBER, closed=True)
    december = Period(
        2026, 12, False, datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert choose_period([december, NOVEMBER], date(2026, 11, 9)) == (NOVEMBER, date(2026, 11, 9))
    assert choose_period([closed, december], date(2026, 11, 9)) == (december, date(2026, 12, 1))
    assert choose_period([closed], date(2026, 11, 9)) is None


def test_entry_day_is_the_arrival_date_in_the_company_zone(mapping: MappingConfig) -> None:
    # 2026-11-10 03:00 UTC is still 9 November in Chicago.
    payout = _payout(arrival_date=int(datetime(2026, 11, 10, 3, tzinfo=UTC).timestamp()))
    assert payout_journal(payout, [], mapping).day == date(2026, 11, 9)


def _fixture(name: str) -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return dict(resources[name])


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared Stripe fixtures not mounted")
def test_official_shapes_parse(mapping: MappingConfig) -> None:
    payout = PayoutView.parse(_fixture("payout"))
    assert (payout.id, payout.amount, payout.itemised, payout.balance_transaction) == (
        "po_1Pgc79B7WZ01zgkWu1KToYf4",
        1100,
        True,
        "txn_1PgaxNB7WZ01zgkWEV3TLf40",
    )
    raw = _fixture("balance_transaction")
    txn = BalanceTxn.parse(raw)
    assert (txn.source, txn.reporting_category, txn.net) == (
        "ch_1PgafuB7WZ01zgkWXYmPNZs8",
        "charge",
        100,
    )
    expanded = BalanceTxn.parse(
        raw | {"source": {"id": "ch_x", "object": "charge"}, "exchange_rate": 1.0825}
    )
    assert (expanded.source, expanded.exchange_rate) == ("ch_x", Decimal("1.0825"))
    # The fixture's own transaction is the payout's: it is left out, and the entry still balances.
    assert payout_transactions(payout, [raw]) == []
    journal = payout_journal(payout, [txn], mapping)
    assert sum(line.signed_minor for line in journal.lines) == 0


@pytest.mark.parametrize("broken", [{"amount": "100"}, {"id": None}, {"exchange_rate": "x"}])
def test_bad_shapes_are_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(PayoutShapeError):
        BalanceTxn.parse(_txn(**broken))
