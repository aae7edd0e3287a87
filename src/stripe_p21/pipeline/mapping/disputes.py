"""Disputes → P21: pure functions from a Stripe dispute and the mapping configuration to what
the ERP should do — the order's fate by dispute status, and the GL lines for the money a dispute
moves (funds withdrawn: amount and fee; funds reinstated: the reversal). See docs/adr/0502."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from stripe_p21.connectors.p21.schemas import JournalEntry, JournalLine, Period
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.money import to_decimal

MoneyKind = Literal["withdrawn", "reinstated"]
OrderSignal = Literal["hold", "clear", "cancel"]
"""What a risk object asks of the charge's P21 order: keep it held, lift its hold, cancel it."""

OPEN_STATUSES = frozenset(
    {"needs_response", "under_review", "warning_needs_response", "warning_under_review"}
)
CLEARED_STATUSES = frozenset({"won", "warning_closed", "prevented"})


def is_inquiry(dispute: Mapping[str, Any]) -> bool:
    """An inquiry (`warning_*`) asks questions; no money moves unless it escalates."""
    return str(dispute.get("status") or "").startswith("warning_")


def dispute_signal(dispute: Mapping[str, Any]) -> OrderSignal:
    """Open → hold; won, prevented or an inquiry closed → clear; lost → cancel. An unknown
    status keeps the hold (a person decides)."""
    status = str(dispute.get("status") or "")
    if status == "lost":
        return "cancel"
    if status in CLEARED_STATUSES:
        return "clear"
    return "hold"


def review_reason(dispute: Mapping[str, Any]) -> str:
    """The review item reason for a new dispute (docs/scenarios.md queues and reasons)."""
    return "inquiry" if is_inquiry(dispute) else "dispute_needs_response"


@dataclass(frozen=True, slots=True)
class DisputeMoney:
    """What one side of a dispute moved in the Stripe balance (settlement currency, minor
    units, signed as the balance transactions are: withdrawals negative)."""

    kind: MoneyKind
    currency: str
    amount_minor: int
    fee_minor: int
    balance_transactions: tuple[str, ...]
    estimated: bool = False
    """True when no balance transaction was readable and the dispute amount stood in."""
    created: int | None = None
    """When the money moved (the newest balance transaction's `created`), Unix seconds."""


def dispute_money(dispute: Mapping[str, Any], kind: MoneyKind) -> DisputeMoney:
    """Sum the dispute's balance transactions of one kind: withdrawals (amount < 0, category
    `dispute`) or reinstatements (amount > 0, `dispute_reversal`)."""
    wanted = [
        txn
        for txn in dispute.get("balance_transactions") or []
        if isinstance(txn, Mapping)
        and isinstance(txn.get("amount"), int)
        and (int(txn["amount"]) < 0) == (kind == "withdrawn")
    ]
    if not wanted:
        amount = int(dispute.get("amount") or 0)
        return DisputeMoney(
            kind=kind,
            currency=str(dispute.get("currency") or "").lower(),
            amount_minor=-amount if kind == "withdrawn" else amount,
            fee_minor=0,
            balance_transactions=(),
            estimated=True,
        )
    currencies = {str(txn.get("currency") or "").lower() for txn in wanted}
    if len(currencies) != 1:
        raise ValueError(f"dispute {dispute.get('id')} moved money in {sorted(currencies)}")
    return DisputeMoney(
        kind=kind,
        currency=currencies.pop(),
        amount_minor=sum(int(txn["amount"]) for txn in wanted),
        fee_minor=sum(int(txn.get("fee") or 0) for txn in wanted),
        balance_transactions=tuple(str(txn.get("id")) for txn in wanted),
        created=max(int(txn.get("created") or 0) for txn in wanted) or None,
    )


def dispute_gl_lines(
    money: DisputeMoney, *, dispute_id: str, charge_id: str, config: MappingConfig
) -> tuple[JournalLine, ...]:
    """Balanced signed lines (debit +, credit -): dispute losses carry the amount, dispute fees
    the fee, Stripe clearing the net that left (or came back into) the Stripe balance."""
    accounts, currency = config.gl.accounts, money.currency
    what = "withdrawn" if money.kind == "withdrawn" else "reinstated"
    label = f"Stripe dispute {dispute_id} ({charge_id}) funds {what}"
    signed = (
        (accounts["dispute_losses"], -money.amount_minor, f"{label}: amount"),
        (accounts["dispute_fees"], money.fee_minor, f"{label}: dispute fee"),
        (accounts["stripe_clearing"], money.amount_minor - money.fee_minor, f"{label}: net"),
    )
    lines = tuple(
        JournalLine(account, to_decimal(amount, currency), description)
        for account, amount, description in signed
        if amount != 0
    )
    if sum(to_decimal(a, currency) for _, a, _ in signed) != 0:  # pragma: no cover - algebra
        raise AssertionError("dispute journal does not balance")
    return lines


def open_period_for(day: date, periods: Sequence[Period]) -> Period | None:
    """The open period holding `day`, else the first open one after it (a closed month's entry
    lands in the next open period); None when there is neither."""
    candidates = sorted((p for p in periods if not p.closed), key=lambda p: (p.year, p.period))
    for period in candidates:
        if period.begins is not None and period.ends is not None:
            if period.begins.date() <= day <= period.ends.date():
                return period
        elif (period.year, period.period) == (day.year, day.month):
            return period
    later = [
        p
        for p in candidates
        if (
            p.begins.date() > day
            if p.begins is not None
            else (p.year, p.period) > (day.year, day.month)
        )
    ]
    return later[0] if later else None


def dispute_journal(
    lines: Sequence[JournalLine],
    *,
    period: Period,
    day: date,
    dispute_id: str,
    kind: MoneyKind,
    config: MappingConfig,
) -> JournalEntry:
    """The P21 journal entry for the lines, in `period`, dated `day` (company time zone)."""
    return JournalEntry(
        period=period.period,
        year=period.year,
        journal_id=config.gl.journal_id,
        transaction_date=day,
        lines=tuple(lines),
        description=f"{dispute_id} funds {kind}",
    )


def memo(lines: Sequence[JournalLine], money: DisputeMoney) -> dict[str, Any]:
    """A JSON-friendly record of the entry (kept on the sync_link when it is not posted)."""
    return {
        "currency": money.currency,
        "amount_minor": money.amount_minor,
        "fee_minor": money.fee_minor,
        "estimated": money.estimated,
        "balance_transactions": list(money.balance_transactions),
        "lines": [
            {
                "account": line.account_number,
                "amount": str(line.amount),
                "description": line.description,
            }
            for line in lines
        ],
    }
