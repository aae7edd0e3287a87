"""A payout that fails after its GL entry was posted → one reversing GL entry, as pure functions
of the posted entry (or the same payout mapping rebuilt), the failed payout and the mapping
configuration (docs/payouts.md, "Failed payouts").

Only the transfer is undone: the bank is credited with the money that never arrived and Stripe
clearing debited with it (the money is back in the Stripe balance). The fees, refunds and
disputes of the payout's transactions happened all the same and stay booked; the later payout
that carries the returned money (its `payout_failure` balance transaction) moves it out of
clearing again. Reversing the whole entry would take the fees out of the ledger for good. The
reversal is dated on the failure day in the company's time zone. Every line's description
starts with `Stripe payout po_… reversal:` — its own lookup key in P21's `gl` table, distinct
from the payout entry's `Stripe payout po_…:`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stripe_p21.connectors.p21.schemas import JournalEntry, JournalLine, Period
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.money import to_decimal, to_minor
from stripe_p21.pipeline.mapping.payouts import (
    GLLine,
    PayoutShapeError,
    PayoutView,
    company_day,
    truth_lines,
)

UNKNOWN_FAILURE = "unknown"
"""`failure_code` written when Stripe gives none."""


def reversal_reference(payout_id: str) -> str:
    """Every line of the reversal starts with this: its lookup key in P21's `gl` table."""
    return f"Stripe payout {payout_id} reversal:"


@dataclass(frozen=True, slots=True)
class PayoutReversal:
    """The GL entry undoing a failed payout's posted entry, in minor units until
    `reversal_entry`."""

    payout_id: str
    currency: str
    amount_minor: int
    """The payout's amount (the reversal credits the bank with it)."""
    reverses_gl: str
    """P21 `TransactionNumber` of the payout's posted entry."""
    failure_code: str
    failure_message: str | None
    day: date
    """The failure day in the company's time zone."""
    lines: tuple[GLLine, ...]

    @property
    def reference(self) -> str:
        return reversal_reference(self.payout_id)

    @property
    def description(self) -> str:
        return (
            f"Stripe payout {self.payout_id} failed ({self.failure_code}): "
            f"reversal of GL {self.reverses_gl}"
        )

    def as_truth(self) -> dict[str, Any]:
        """The `documents.gl_entries[]` form (docs/scenarios.md) plus what it reverses."""
        lines = truth_lines(self.lines, self.currency)
        return {
            "stripe_payout_id": self.payout_id, "currency": self.currency,
            "amount": str(to_decimal(self.amount_minor, self.currency)),
            "reverses_gl": self.reverses_gl, "failure_code": self.failure_code,
            "failure_message": self.failure_message, "day": self.day.isoformat(),
            "lines": lines,
        }  # fmt: skip


def _amount(line: Mapping[str, Any], side: str, currency: str) -> int:
    try:
        return to_minor(Decimal(str(line.get(side) or "0")), currency)
    except (InvalidOperation, ValueError) as exc:
        raise PayoutShapeError(f"posted GL line {line!r}: bad {side}") from exc


def posted_lines(journal: Mapping[str, Any]) -> tuple[GLLine, ...]:
    """The posted entry's lines back from the truth form the `gl_payout` link keeps
    (`details.journal`, `PayoutJournal.as_truth`): debit positive, credit negative."""
    currency, raw = journal.get("currency"), journal.get("lines")
    if not isinstance(currency, str) or not isinstance(raw, list) or not raw:
        raise PayoutShapeError("posted GL entry without currency or lines")
    lines = []
    for line in raw:
        if not isinstance(line, dict) or not line.get("account") or not line.get("role"):
            raise PayoutShapeError(f"posted GL line without account or role: {line!r}")
        signed = _amount(line, "debit", currency) - _amount(line, "credit", currency)
        lines.append(GLLine(str(line["role"]), str(line["account"]), signed))
    if sum(line.signed_minor for line in lines) != 0:
        raise PayoutShapeError("posted GL entry does not balance")
    return tuple(lines)


def failure_day(payout: PayoutView, fallback: int, mapping: MappingConfig) -> date:
    """The day Stripe booked the failure (its `payout_failure` balance transaction), else
    `fallback` (the event's time), in the company's time zone."""
    return company_day(payout.failed_at or fallback, mapping)


def payout_reversal(
    payout: PayoutView, posted: Sequence[GLLine], *, reverses_gl: str, day: date
) -> PayoutReversal:
    """Credit the posted entry's bank line(s) back and debit Stripe clearing (the account the
    posted entry used for it) with the same amount."""
    banks = [line for line in posted if line.role == "bank" and line.signed_minor]
    clearing = next((line.account for line in posted if line.role == "stripe_clearing"), None)
    transferred = sum(line.signed_minor for line in banks)
    if not banks or clearing is None or not transferred:
        raise PayoutShapeError(f"GL entry {reverses_gl} of {payout.id} has no bank transfer")
    lines = (
        GLLine("bank", banks[0].account, -transferred),
        GLLine("stripe_clearing", clearing, transferred),
    )
    return PayoutReversal(
        payout_id=payout.id, currency=payout.currency, amount_minor=payout.amount,
        reverses_gl=reverses_gl, failure_code=payout.failure_code or UNKNOWN_FAILURE,
        failure_message=payout.failure_message, day=day, lines=lines,
    )  # fmt: skip


def reversal_entry(
    reversal: PayoutReversal, period: Period, posting_day: date, mapping: MappingConfig
) -> JournalEntry:
    """The P21 command: signed decimal amounts in the payout currency; every line described
    `Stripe payout po_… reversal: <role> (failed <code>, reverses GL <n>)`."""
    why = f"(failed {reversal.failure_code}, reverses GL {reversal.reverses_gl})"
    lines = tuple(
        JournalLine(
            account_number=line.account,
            amount=to_decimal(line.signed_minor, reversal.currency),
            description=f"{reversal.reference} {line.role} {why}",
        )
        for line in reversal.lines
    )
    return JournalEntry(
        period=period.period, year=period.year, journal_id=mapping.gl.journal_id,
        transaction_date=posting_day, lines=lines, source="STRIPE",
        description=reversal.description,
    )  # fmt: skip
