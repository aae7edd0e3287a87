"""Payout → one balanced GL journal entry, as a pure function of the payout, its balance
transactions and the mapping configuration (docs/payouts.md, ADR 0501).

Bank is debited with the payout; each transaction's gross goes to Stripe clearing (charges,
refunds) or dispute losses (disputes and their reversals), its fees to expense by fee type. A
payout that cannot be itemised (manual, instant) moves its amount from clearing to bank only.
Whatever the transactions do not explain is booked on a labelled `unexplained_remainder` line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from stripe_p21.connectors.p21.schemas import JournalEntry, JournalLine, Period
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.money import to_decimal

DISPUTE_CATEGORIES = frozenset({"dispute", "dispute_reversal"})
"""Gross to `dispute_losses` (withdrawn less reinstated), fees to `dispute_fees`."""
FEE_CATEGORIES = frozenset({"fee", "tax"})
"""Stripe fees billed as their own transactions: gross to fee expense."""
FX_CATEGORIES = frozenset({"currency_conversion"})
CLEARING_CATEGORIES = frozenset(
    {"charge", "refund", "refund_failure", "payment", "payment_reversal",
     "partial_capture_reversal", "payout_reversal"}
)  # fmt: skip
"""Gross to Stripe clearing, where the synced orders' payments and credit memos sit. A failed
payout's money coming back (`payout_reversal`, the `payout_failure` transaction a later payout
carries) goes there too: the failed payout's reversal entry debited clearing with it."""
UNEXPLAINED = "unexplained_remainder"


class PayoutShapeError(ValueError):
    """A payout or balance transaction lacks a field the GL entry needs."""


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayoutShapeError(
            f"{obj.get('object', 'object')} {obj.get('id')}: {key} is not an integer"
        )
    return value


def _id_of(value: Any) -> str | None:
    """`source` and similar fields: an id, or an expanded object carrying one."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def payout_reference(payout_id: str) -> str:
    """Every line of a payout's GL entry starts with this: its lookup key in P21's `gl` table."""
    return f"Stripe payout {payout_id}:"


@dataclass(frozen=True, slots=True)
class FeeDetail:
    amount: int
    type: str


@dataclass(frozen=True, slots=True)
class BalanceTxn:
    """The fields of a Stripe balance transaction the GL entry and reconciliation use."""

    id: str
    amount: int
    fee: int
    net: int
    currency: str
    reporting_category: str
    type: str
    source: str | None
    exchange_rate: Decimal | None
    fee_details: tuple[FeeDetail, ...]

    @classmethod
    def parse(cls, obj: Mapping[str, Any]) -> BalanceTxn:
        txn_id, currency = obj.get("id"), obj.get("currency")
        if not isinstance(txn_id, str) or not isinstance(currency, str):
            raise PayoutShapeError(f"balance transaction without id or currency: {obj.get('id')!r}")
        details = tuple(
            FeeDetail(_int(d, "amount"), str(d.get("type") or "stripe_fee"))
            for d in obj.get("fee_details") or []
        )
        rate = obj.get("exchange_rate")
        try:
            exchange_rate = None if rate is None else Decimal(str(rate))
        except InvalidOperation as exc:
            raise PayoutShapeError(f"{txn_id}: exchange_rate {rate!r} is not a number") from exc
        kind = str(obj.get("type") or "")
        category = str(obj.get("reporting_category") or kind)
        return cls(
            id=txn_id, amount=_int(obj, "amount"), fee=_int(obj, "fee"), net=_int(obj, "net"),
            currency=currency.lower(), reporting_category=category,
            type=kind, source=_id_of(obj.get("source")), exchange_rate=exchange_rate,
            fee_details=details,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PayoutView:
    """The fields of a Stripe payout the flow decides on."""

    id: str
    amount: int
    currency: str
    automatic: bool
    method: str
    status: str
    reconciliation_status: str
    created: int
    arrival_date: int
    balance_transaction: str | None
    failure_code: str | None = None
    failure_message: str | None = None
    failure_balance_transaction: str | None = None
    failed_at: int | None = None
    """`created` of the `payout_failure` balance transaction when it came expanded: the moment
    Stripe booked the money back to the balance."""

    @classmethod
    def parse(cls, obj: Mapping[str, Any]) -> PayoutView:
        payout_id, currency = obj.get("id"), obj.get("currency")
        if not isinstance(payout_id, str) or not isinstance(currency, str):
            raise PayoutShapeError(f"payout without id or currency: {obj.get('id')!r}")
        created = _int(obj, "created")
        arrival = obj.get("arrival_date")
        failure = obj.get("failure_balance_transaction")
        failed_at = failure.get("created") if isinstance(failure, dict) else None
        return cls(
            id=payout_id, amount=_int(obj, "amount"), currency=currency.lower(),
            automatic=bool(obj.get("automatic")), method=str(obj.get("method") or "standard"),
            status=str(obj.get("status") or ""),
            reconciliation_status=str(obj.get("reconciliation_status") or ""),
            created=created, arrival_date=arrival if isinstance(arrival, int) else created,
            balance_transaction=_id_of(obj.get("balance_transaction")),
            failure_code=_text(obj.get("failure_code")),
            failure_message=_text(obj.get("failure_message")),
            failure_balance_transaction=_id_of(failure),
            failed_at=failed_at if type(failed_at) is int and failed_at > 0 else None,
        )  # fmt: skip

    @property
    def failed(self) -> bool:
        """The bank returned the payout (possibly after it was `paid`): the money is back in
        the Stripe balance."""
        return self.status == "failed"

    @property
    def itemised(self) -> bool:
        """Stripe lists the transactions of automatic standard payouts only."""
        return self.automatic and self.method != "instant"

    @property
    def ready(self) -> bool:
        """Paid, and (when itemised) reconciled by Stripe, so its transaction list is final. A
        failed payout is never ready: a late `payout.paid` redelivery posts nothing."""
        return self.status == "paid" and (
            not self.itemised or self.reconciliation_status == "completed"
        )


def payout_transactions(
    payout: PayoutView, listed: Iterable[Mapping[str, Any]]
) -> list[BalanceTxn]:
    """The payout's balance transactions without the payout's own (`type: payout`) entry."""
    txns = [BalanceTxn.parse(obj) for obj in listed]
    return [
        t
        for t in txns
        if t.id != payout.balance_transaction and t.source != payout.id and t.type != "payout"
    ]


@dataclass(frozen=True, slots=True)
class GLLine:
    role: str
    account: str
    signed_minor: int
    """Debit positive, credit negative."""


@dataclass(frozen=True, slots=True)
class PayoutJournal:
    """The GL entry a payout should produce, in minor units until `journal_entry`."""

    payout_id: str
    currency: str
    amount_minor: int
    itemised: bool
    day: date
    """The payout's arrival date in the company's time zone."""
    lines: tuple[GLLine, ...]
    unexplained_minor: int

    @property
    def reference(self) -> str:
        """Every line's description starts with this: the lookup key in P21's `gl` table."""
        return payout_reference(self.payout_id)

    def as_truth(self) -> dict[str, Any]:
        """The scenario truth's `documents.gl_entries[]` form (docs/scenarios.md)."""
        return {
            "stripe_payout_id": self.payout_id, "currency": self.currency,
            "amount": str(to_decimal(self.amount_minor, self.currency)),
            "itemised": self.itemised, "lines": truth_lines(self.lines, self.currency),
        }  # fmt: skip


def truth_lines(lines: Sequence[GLLine], currency: str) -> list[dict[str, str]]:
    """GL lines in the truth form: account, role, and a debit or a credit as decimal text."""
    zero = str(to_decimal(0, currency))
    out = []
    for line in lines:
        amount = str(to_decimal(abs(line.signed_minor), currency))
        debit, credit = (amount, zero) if line.signed_minor > 0 else (zero, amount)
        out.append({"account": line.account, "role": line.role, "debit": debit, "credit": credit})
    return out


def _fee_lines(txn: BalanceTxn, mapping: MappingConfig) -> Iterable[tuple[str, str, int]]:
    """(role, account, debit) for a transaction's fees; fee details that do not add up to
    `fee` leave their rest on the default fee account."""
    gl = mapping.gl
    if txn.reporting_category in DISPUTE_CATEGORIES:
        if txn.fee:
            yield "dispute_fees", gl.account("dispute_fees"), txn.fee
        return
    rest = txn.fee
    for detail in txn.fee_details:
        account = gl.fee_account(detail.type)
        role = "card_fees" if account == gl.account("card_fees") else f"fees_{detail.type}"
        yield role, account, detail.amount
        rest -= detail.amount
    if rest:
        yield "card_fees", gl.account("card_fees"), rest


def _gross_role(category: str) -> str:
    if category in DISPUTE_CATEGORIES:
        return "dispute_losses"
    if category in CLEARING_CATEGORIES:
        return "stripe_clearing"
    if category in FEE_CATEGORIES:
        return "card_fees"
    if category in FX_CATEGORIES:
        return "fx"
    return "other_adjustments"


def company_day(timestamp: int, mapping: MappingConfig) -> date:
    return datetime.fromtimestamp(timestamp, UTC).astimezone(mapping.company.zone).date()


def payout_journal(
    payout: PayoutView, txns: Sequence[BalanceTxn], mapping: MappingConfig
) -> PayoutJournal:
    """Bank, clearing, fee, dispute, FX and adjustment lines by role; sorted by role, zero
    lines dropped. Balanced by construction: any gap is the labelled unexplained remainder."""
    gl = mapping.gl
    totals: dict[tuple[str, str], int] = defaultdict(int)
    totals["bank", gl.account("bank")] += payout.amount
    if not payout.itemised:
        totals["stripe_clearing", gl.account("stripe_clearing")] -= payout.amount
    else:
        for txn in txns:
            for role, account, debit in _fee_lines(txn, mapping):
                totals[role, account] += debit
            role = _gross_role(txn.reporting_category)
            totals[role, gl.account(role)] -= txn.amount
    gap = sum(totals.values())
    if gap:
        totals[UNEXPLAINED, gl.account("other_adjustments")] -= gap
    lines = tuple(
        GLLine(role, account, signed)
        for (role, account), signed in sorted(totals.items())
        if signed != 0
    )
    return PayoutJournal(
        payout_id=payout.id, currency=payout.currency, amount_minor=payout.amount,
        itemised=payout.itemised, day=company_day(payout.arrival_date, mapping), lines=lines,
        unexplained_minor=gap,
    )  # fmt: skip


def choose_period(periods: Sequence[Period], day: date) -> tuple[Period, date] | None:
    """The open period holding `day`; else the first open one after it (posted on its first
    day, as accountants do after a close); None when there is none."""
    dated = [p for p in periods if not p.closed and p.begins is not None and p.ends is not None]
    dated.sort(key=lambda p: (p.year, p.period))
    for period in dated:
        assert period.begins is not None and period.ends is not None  # noqa: S101 - filtered
        if period.begins.date() <= day <= period.ends.date():
            return period, day
    for period in dated:
        assert period.begins is not None  # noqa: S101 - filtered above
        if period.begins.date() > day:
            return period, period.begins.date()
    return None


def journal_entry(
    journal: PayoutJournal, period: Period, posting_day: date, mapping: MappingConfig
) -> JournalEntry:
    """The P21 command: signed decimal amounts in the payout currency, one description per line
    starting with the payout reference."""
    lines = tuple(
        JournalLine(
            account_number=line.account,
            amount=to_decimal(line.signed_minor, journal.currency),
            description=f"{journal.reference} {line.role}",
        )
        for line in journal.lines
    )
    return JournalEntry(
        period=period.period, year=period.year, journal_id=mapping.gl.journal_id,
        transaction_date=posting_day, lines=lines, source="STRIPE",
        description=f"{journal.reference} {journal.currency.upper()} deposit",
    )  # fmt: skip
