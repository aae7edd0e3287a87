"""The sandbox's GL journal API (``/api/accounting/gl/``): balance and open-period checks.

An entry is one array of signed lines sharing a server-assigned ``TransactionNumber``; P21 refuses
an unbalanced entry with a 500 "Records do not balance" and refuses closed periods.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from stripe_p21.sandbox.p21.store import FIRST_GL_NUMBER, Store, now_text
from stripe_p21.sandbox.p21.wire import P21Failure, content_required

NOT_BALANCED = "Records do not balance"
PERIOD_CLOSED = "Period {0}/{1} is closed"  # assumed text
ACCOUNT_INVALID = "Account {0} does not exist"  # assumed text


def _decimal(value: Any, name: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise P21Failure(500, f"Invalid value '{value}' for {name}") from exc
    if not result.is_finite():
        raise P21Failure(500, f"Invalid value '{value}' for {name}")
    return result


def _int(value: Any, name: str) -> int:
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise P21Failure(500, f"Invalid value '{value}' for {name}")
    return int(text)


def _line(store: Store, company: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise content_required()
    if str(raw.get("CompanyNo") or company) != company:
        raise P21Failure(500, "Column is disabled: company_no")
    account = str(raw.get("AccountNumber") or "")
    known = store.row(
        "SELECT 1 FROM chart_of_accts WHERE company_no = ? AND account_no = ?", (company, account)
    )
    if known is None:
        raise P21Failure(500, ACCOUNT_INVALID.format(account))
    amount = _decimal(raw.get("Amount"), "Amount")
    foreign = raw.get("ForeignAmount")
    return {
        "company_no": company, "account_number": account,
        "period": _int(raw.get("Period"), "Period"),
        "year_for_period": _int(raw.get("YearForPeriod"), "YearForPeriod"),
        "journal_id": str(raw.get("JournalId") or "GJ"), "amount": f"{amount:f}",
        "foreign_amount": f"{_decimal(foreign, 'ForeignAmount'):f}" if foreign is not None
        else f"{amount:f}",
        "description": raw.get("Description"), "source": raw.get("Source"),
        "transaction_date": str(raw.get("TransactionDate") or now_text())[:19],
    }  # fmt: skip


def _check_periods(store: Store, company: str, lines: list[dict[str, Any]]) -> None:
    for key in {(line["period"], line["year_for_period"]) for line in lines}:
        found = store.row(
            "SELECT period_closed FROM periods WHERE company_no = ? AND period = ? "
            "AND year_for_period = ?",
            (company, *key),
        )
        if found is None or found["period_closed"] == "Y":
            raise P21Failure(500, PERIOD_CLOSED.format(*key))


def echo(row: dict[str, Any]) -> dict[str, Any]:
    """A stored GL line in the REST family's PascalCase."""
    return {
        "TransactionNumber": row["transaction_number"], "CompanyNo": row["company_no"],
        "AccountNumber": row["account_number"], "Period": row["period"],
        "YearForPeriod": row["year_for_period"], "JournalId": row["journal_id"],
        "Amount": Decimal(row["amount"]), "ForeignAmount": Decimal(row["foreign_amount"]),
        "Description": row["description"], "Source": row["source"],
        "TransactionDate": row["transaction_date"],
    }  # fmt: skip


def post_entry(store: Store, company: str, body: Any) -> list[dict[str, Any]]:
    """Validate and store one entry; the answer echoes the lines with their number."""
    if not isinstance(body, list) or not body:
        raise content_required()
    lines = [_line(store, company, raw) for raw in body]
    _check_periods(store, company, lines)
    if sum(Decimal(line["amount"]) for line in lines) != 0:
        raise P21Failure(500, NOT_BALANCED)
    with store.transaction():
        number = str(store.next_number("gl_transaction", FIRST_GL_NUMBER))
        for line in lines:
            store.insert("gl", {**line, "transaction_number": number, "date_created": now_text()})
        store.written("gl", number, "posted")
    return entry(store, number)


def entry(store: Store, number: str) -> list[dict[str, Any]]:
    rows = store.rows("SELECT * FROM gl WHERE transaction_number = ? ORDER BY gl_uid", (number,))
    return [echo(row) for row in rows]
