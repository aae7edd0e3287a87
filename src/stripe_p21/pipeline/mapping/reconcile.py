"""Reconcile a payout's balance transactions against the P21 documents we synced (pure).

Every transaction gets one labelled result; whatever the transactions do not explain becomes an
`unexplained_remainder` line, so the labelled amounts always add up to the payout. A payout that
cannot be itemised gets a single `manual_payout_not_itemised` line and status `needs_review`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stripe_p21.pipeline.mapping.money import to_decimal
from stripe_p21.pipeline.mapping.payouts import (
    DISPUTE_CATEGORIES,
    BalanceTxn,
    PayoutView,
)

MATCHED = "matched"
MISSING = "missing_in_p21"
MISMATCH = "amount_mismatch"
FX_DIFFERENCE = "fx_difference"
REMAINDER = "unexplained_remainder"
MANUAL = "manual_payout_not_itemised"
NOT_SYNCED = "not_synced_kind"
"""Fees, adjustments, disputes without their own GL entry: booked on the payout entry only."""

BREAKS = frozenset({MISSING, MISMATCH, FX_DIFFERENCE, REMAINDER, MANUAL})
"""Results a person must look at. An `fx_difference` is labelled with the rate, but the
conversion difference still has to be booked by someone, so it is a break too."""

CHARGE_KINDS = ("order", "payment")
REFUND_KINDS = ("rma",)
CHARGE_CATEGORIES = frozenset({"charge", "payment"})
REFUND_CATEGORIES = frozenset({"refund", "payment_reversal"})


@dataclass(frozen=True, slots=True)
class LinkFact:
    """What a `sync_link` says about one P21 document of a Stripe object."""

    stripe_object_id: str
    kind: str
    document_no: str
    amount_minor: int | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class ReconLine:
    balance_transaction_id: str | None
    source_id: str | None
    type: str
    result: str
    amount_minor: int
    fee_minor: int
    net_minor: int
    p21_document_no: str | None = None
    p21_amount_minor: int | None = None
    note: str | None = None

    @property
    def is_break(self) -> bool:
        return self.result in BREAKS


@dataclass(frozen=True, slots=True)
class Reconciliation:
    payout_id: str
    currency: str
    amount_minor: int
    automatic: bool
    itemised: bool
    lines: tuple[ReconLine, ...]
    unexplained_minor: int

    @property
    def transactions(self) -> int:
        """Listed balance transactions (the remainder and manual lines are not ones)."""
        return sum(1 for line in self.lines if line.balance_transaction_id is not None)

    @property
    def matched(self) -> int:
        return sum(1 for line in self.lines if line.result == MATCHED)

    @property
    def breaks(self) -> tuple[ReconLine, ...]:
        return tuple(line for line in self.lines if line.is_break)

    @property
    def status(self) -> str:
        if not self.itemised:
            return "needs_review"
        return "breaks" if self.breaks else "matched"

    def as_truth(self) -> dict[str, Any]:
        """The scenario truth's `reconciliation[]` form (docs/scenarios.md)."""
        return {
            "stripe_payout_id": self.payout_id, "currency": self.currency,
            "automatic": self.automatic, "amount": self._money(self.amount_minor),
            "transactions": self.transactions, "status": self.status,
            "expected_breaks": [
                {"kind": line.result, "stripe_object_id": line.source_id,
                 "amount": self._money(line.amount_minor)}
                for line in self.breaks
            ],
            "unexplained_remainder": self._money(self.unexplained_minor),
        }  # fmt: skip

    def _money(self, minor: int) -> str:
        return str(to_decimal(minor, self.currency))


def _compare(txn: BalanceTxn, link: LinkFact) -> tuple[str, str | None]:
    if link.amount_minor is None:
        return MATCHED, "P21 document amount not recorded on the link"
    if link.currency and link.currency != txn.currency:
        shown = to_decimal(link.amount_minor, link.currency)
        return FX_DIFFERENCE, (
            f"P21 holds {shown} {link.currency.upper()}; settled as {txn.currency.upper()} "
            f"at rate {txn.exchange_rate}"
        )
    if abs(link.amount_minor) != abs(txn.amount):
        return MISMATCH, f"P21 document {link.document_no} carries {link.amount_minor}"
    return MATCHED, None


def _expected_kinds(txn: BalanceTxn) -> tuple[str, ...] | None:
    """Which sync_link kinds document this transaction's source; None: no own document."""
    category = txn.reporting_category
    if category in CHARGE_CATEGORIES:
        return CHARGE_KINDS
    if category in REFUND_CATEGORIES:
        return REFUND_KINDS
    if category in DISPUTE_CATEGORIES:
        return ("gl_dispute_withdrawn",) if txn.amount < 0 else ("gl_dispute_reinstated",)
    return None


def _line(
    txn: BalanceTxn, result: str, note: str | None, link: LinkFact | None = None
) -> ReconLine:
    return ReconLine(
        balance_transaction_id=txn.id, source_id=txn.source, type=txn.type, result=result,
        amount_minor=txn.amount, fee_minor=txn.fee, net_minor=txn.net,
        p21_document_no=link.document_no if link else None,
        p21_amount_minor=link.amount_minor if link else None, note=note,
    )  # fmt: skip


def reconcile_line(txn: BalanceTxn, links: Sequence[LinkFact]) -> ReconLine:
    """One transaction against the links of its source object."""
    kinds = _expected_kinds(txn)
    if kinds is None:
        return _line(txn, NOT_SYNCED, f"{txn.reporting_category}: booked on the payout entry")
    found = [link for link in links if link.kind in kinds]
    if found:
        result, note = _compare(txn, found[0])
        return _line(txn, result, note, found[0])
    if txn.reporting_category in DISPUTE_CATEGORIES:
        return _line(txn, NOT_SYNCED, "no dispute GL entry: booked on the payout entry")
    return _line(txn, MISSING, "no P21 document for this object")


def reconcile_payout(
    payout: PayoutView, txns: Sequence[BalanceTxn], links: Mapping[str, Sequence[LinkFact]]
) -> Reconciliation:
    """Label every transaction of `payout` against `links` (Stripe object id → its links)."""
    if not payout.itemised:
        manual = ReconLine(
            balance_transaction_id=None, source_id=payout.id, type="payout", result=MANUAL,
            amount_minor=payout.amount, fee_minor=0, net_minor=payout.amount,
            note="manual or instant payout: Stripe does not itemise it",
        )  # fmt: skip
        lines: tuple[ReconLine, ...] = (manual,)
        remainder = 0
    else:
        lines = tuple(reconcile_line(t, links.get(t.source or "", ())) for t in txns)
        remainder = payout.amount - sum(t.net for t in txns)
        if remainder:
            lines += (
                ReconLine(
                    balance_transaction_id=None, source_id=payout.id, type="remainder",
                    result=REMAINDER, amount_minor=remainder, fee_minor=0, net_minor=remainder,
                    note="payout amount not explained by its balance transactions",
                ),
            )  # fmt: skip
    return Reconciliation(
        payout_id=payout.id, currency=payout.currency, amount_minor=payout.amount,
        automatic=payout.automatic, itemised=payout.itemised, lines=lines,
        unexplained_minor=remainder,
    )  # fmt: skip
