"""Pure reversal mapping for a payout that failed after it was posted: the posted entry's bank
transfer undone (read back from the link's truth form, or rebuilt from the payout),
dated on the failure day in the company's time zone, balanced, the bank credited with the
payout; the P21 command and its descriptions are snapshotted for USD, JPY and KWD."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stripe_p21.connectors.p21.schemas import Period
from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.pipeline.mapping.payout_reversal import (
    failure_day,
    payout_reversal,
    posted_lines,
    reversal_entry,
    reversal_reference,
)
from stripe_p21.pipeline.mapping.payouts import (
    BalanceTxn,
    GLLine,
    PayoutShapeError,
    PayoutView,
    payout_journal,
    payout_reference,
)
from tests.sync.payouts.gl_views import command_view
from tests.sync.payouts.scenario_payouts import ScenarioPayout, one

FIXTURES = Path("/work/shared/stripe/fixtures3.json")
NOVEMBER = Period(
    2026, 11, False, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
)
FAILED_AT = int(datetime(2026, 11, 10, 3, tzinfo=UTC).timestamp())  # 9 November in Chicago


@pytest.fixture(scope="module")
def mapping() -> MappingConfig:
    return load_mapping(Path(__file__).parents[3] / "config" / "mapping.yaml")


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _failed(payout: ScenarioPayout, **fields: Any) -> PayoutView:
    returned = {"id": "txn_failure", "object": "balance_transaction", "created": FAILED_AT}
    return PayoutView.parse(
        payout.raw
        | {
            "status": "failed", "failure_code": "account_closed",
            "failure_message": "The bank account has been closed.",
            "failure_balance_transaction": returned,
        }
        | fields
    )  # fmt: skip


def _reversal_view(payout: ScenarioPayout, mapping: MappingConfig) -> dict[str, Any]:
    journal = payout_journal(payout.view, payout.txns, mapping)
    failed = _failed(payout)
    day = failure_day(failed, 0, mapping)
    reversal = payout_reversal(
        failed, posted_lines(journal.as_truth()), reverses_gl="50001", day=day
    )
    entry = reversal_entry(reversal, NOVEMBER, reversal.day, mapping)
    return {
        "truth_form": reversal.as_truth(),
        "p21": command_view(entry),
    }  # fmt: skip


@pytest.mark.parametrize("currency", ["usd", "jpy", "kwd"])
def test_reversal_snapshot(
    currency: str, mapping: MappingConfig, snapshot_json: SnapshotAssertion
) -> None:
    assert _reversal_view(one(currency), mapping) == snapshot_json


@pytest.mark.parametrize("currency", ["usd", "jpy", "kwd"])
def test_the_reversal_undoes_only_the_transfer(currency: str, mapping: MappingConfig) -> None:
    payout = one(currency)
    journal = payout_journal(payout.view, payout.txns, mapping)
    assert posted_lines(journal.as_truth()) == journal.lines  # the link's record reads back
    reversal = payout_reversal(
        _failed(payout), journal.lines, reverses_gl="50001", day=date(2026, 11, 9)
    )
    [bank] = [x for x in journal.lines if x.role == "bank"]
    [clearing] = {x.account for x in journal.lines if x.role == "stripe_clearing"}
    # Fees, refunds and disputes happened all the same: only bank ↔ clearing is undone.
    assert [(x.role, x.account, x.signed_minor) for x in reversal.lines] == [
        ("bank", bank.account, -bank.signed_minor),
        ("stripe_clearing", clearing, bank.signed_minor),
    ]
    assert any(x.role not in ("bank", "stripe_clearing") for x in journal.lines)
    assert sum(line.signed_minor for line in reversal.lines) == 0
    bank = [line.signed_minor for line in reversal.lines if line.role == "bank"]
    assert bank == [-payout.view.amount]
    entry = reversal_entry(reversal, NOVEMBER, reversal.day, mapping)
    assert sum(Decimal(str(line.amount)) for line in entry.lines) == 0
    [bank_line] = [line for line in entry.lines if line.account_number == "1010"]
    assert bank_line.amount == -Decimal(payout.gl_truth["amount"])


def test_the_reversal_has_its_own_lookup_reference(mapping: MappingConfig) -> None:
    payout = one("usd")
    view = _reversal_view(payout, mapping)["p21"]
    reference, original = reversal_reference(payout.view.id), payout_reference(payout.view.id)
    assert all(line["description"].startswith(reference) for line in view["lines"])
    # Neither lookup finds the other entry: `…po_X:` vs `…po_X reversal:`.
    assert not any(line["description"].startswith(original) for line in view["lines"])
    assert not f"{original} bank".startswith(reference)
    assert view["description"] == (
        f"Stripe payout {payout.view.id} failed (account_closed): reversal of GL 50001"
    )


def test_the_failure_day_is_the_failure_in_the_company_zone(mapping: MappingConfig) -> None:
    payout = one("usd")
    assert failure_day(_failed(payout), 0, mapping) == date(2026, 11, 9)
    # Without the expanded payout_failure transaction, the event's time is used.
    unexpanded = _failed(payout, failure_balance_transaction="txn_failure")
    assert (unexpanded.failed_at, unexpanded.failure_balance_transaction) == (None, "txn_failure")
    fallback = int(datetime(2026, 11, 12, 18, tzinfo=UTC).timestamp())
    assert failure_day(unexpanded, fallback, mapping) == date(2026, 11, 12)


def test_failure_fields_parse(mapping: MappingConfig) -> None:
    failed = _failed(one("jpy"))
    assert (failed.status, failed.failed, failed.ready) == ("failed", True, False)
    assert (failed.failure_code, failed.failure_message, failed.failed_at) == (
        "account_closed",
        "The bank account has been closed.",
        FAILED_AT,
    )
    paid = one("jpy").view
    assert (paid.failed, paid.failure_code, paid.failure_balance_transaction) == (False, None, None)
    nameless = payout_reversal(
        _failed(one("jpy"), failure_code=None),
        [GLLine("bank", "1010", 5), GLLine("stripe_clearing", "1015", -5)],
        reverses_gl="7", day=date(2026, 11, 9),
    )  # fmt: skip
    assert nameless.failure_code == "unknown"


@pytest.mark.parametrize(
    "broken",
    [
        {"currency": "usd", "lines": []},
        {"currency": "usd", "lines": [{"account": "1010", "role": "bank", "debit": "1.00"}]},
        {"currency": "usd", "lines": [{"account": "1010", "role": "bank", "debit": "x"}]},
        {"currency": "jpy", "lines": [{"account": "1010", "role": "bank", "debit": "1.5"}]},
        {"lines": [{"account": "1010", "role": "bank", "debit": "1"}]},
    ],
)
def test_a_damaged_record_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(PayoutShapeError):
        posted_lines(broken)


def test_nothing_to_reverse_is_refused() -> None:
    with pytest.raises(PayoutShapeError):
        payout_reversal(_failed(one("usd")), [], reverses_gl="1", day=date(2026, 11, 9))


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared Stripe fixtures not mounted")
def test_the_official_payout_shape_has_no_failure() -> None:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    payout = PayoutView.parse(dict(resources["payout"]))
    assert (payout.failed, payout.failure_code, payout.failed_at) == (False, None, None)


def test_an_entry_without_a_bank_transfer_cannot_be_reversed() -> None:
    with pytest.raises(PayoutShapeError, match="no bank transfer"):
        payout_reversal(
            _failed(one("usd")),
            [GLLine("card_fees", "6150", 5), GLLine("stripe_clearing", "1015", -5)],
            reverses_gl="7",
            day=date(2026, 11, 9),
        )


def test_the_returned_money_leaves_clearing_with_the_next_payout(mapping: MappingConfig) -> None:
    """The later payout that carries a failed payout's money (`payout_failure`, category
    `payout_reversal`) takes it out of Stripe clearing, where the reversal put it."""
    from dataclasses import replace

    payout = one("usd")
    returned = BalanceTxn.parse(
        {"id": "txn_returned", "object": "balance_transaction", "amount": 31_522_90, "fee": 0,
         "net": 31_522_90, "currency": "usd", "reporting_category": "payout_reversal",
         "type": "payout_failure", "source": "po_failedEarlier", "fee_details": []}
    )  # fmt: skip
    later = replace(payout.view, amount=payout.view.amount + returned.net)
    journal = payout_journal(later, [*payout.txns, returned], mapping)
    before = payout_journal(payout.view, payout.txns, mapping)
    roles = {line.role: line.signed_minor for line in journal.lines}
    assert (
        roles["stripe_clearing"]
        == dict((x.role, x.signed_minor) for x in before.lines)["stripe_clearing"] - returned.net
    )
    assert "other_adjustments" not in roles
