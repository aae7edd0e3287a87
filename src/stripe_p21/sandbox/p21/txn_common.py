"""Shared pieces of the sandbox's Transaction API: edits, failures, value parsing, P21's texts.

P21 replays edits like keystrokes and reports failures as ``Transaction N:: message`` inside an
HTTP 200; the texts marked "assumed" were not seen on a live server and are one line to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

COLUMN_DISABLED = "Column is disabled: {0}"
CUSTOMER_REQUIRED = "Customer ID is required"
CUSTOMER_INVALID = "Customer ID {0} does not exist"  # assumed
ITEM_REQUIRED = "Item ID is required"  # assumed
ITEM_INVALID = "Item ID {0} does not exist"  # assumed
PERIOD_CLOSED = "Date {0} falls in closed period {1}/{2}"  # assumed
NO_PERIOD = "No period is defined for date {0}"  # assumed
ORDER_NOT_FOUND = "Order {0} does not exist"  # assumed
UNKNOWN_FIELD = "Field {0} does not exist in {1}"  # assumed
BAD_VALUE = "Invalid value '{1}' for {0}"  # assumed
TOO_LONG = "{0} cannot be longer than {1} characters"  # assumed
DISABLED_COLUMNS = frozenset({"company_id", "company_no"})
TRUE_WORDS = frozenset({"y", "yes", "true", "1", "on", "checked"})
FALSE_WORDS = frozenset({"n", "no", "false", "0", "off", "unchecked"})


class TxFailure(Exception):
    """One transaction failed; the others in the same POST are unaffected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def element_map(transaction: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for element in transaction.get("DataElements") or []:
        if not isinstance(element, dict) or not isinstance(element.get("Name"), str):
            raise TxFailure("DataElement without a Name")
        found[element["Name"]] = element
    return found


def rows_of(element: dict[str, Any] | None) -> list[list[tuple[str, str]]]:
    """Each row's edits in order, values as strings (P21 takes nothing else)."""
    if element is None:
        return []
    rows = []
    for row in element.get("Rows") or []:
        edits = row.get("Edits") if isinstance(row, dict) else None
        if not isinstance(edits, list):
            raise TxFailure(f"Row of {element.get('Name')} has no Edits")
        rows.append([_edit(edit) for edit in edits])
    return rows


def _edit(edit: Any) -> tuple[str, str]:
    if not isinstance(edit, dict) or not isinstance(edit.get("Name"), str):
        raise TxFailure("Edit without a Name")
    value = edit.get("Value")
    return edit["Name"], "" if value is None else str(value)


def checked_fields(
    edits: Iterable[tuple[str, str]], allowed: Iterable[str], where: str
) -> dict[str, str]:
    """Edits applied in order; disabled and unknown columns fail the transaction."""
    known = set(allowed)
    values: dict[str, str] = {}
    for name, value in edits:
        if name.lower() in DISABLED_COLUMNS:
            raise TxFailure(COLUMN_DISABLED.format(name))
        if name not in known:
            raise TxFailure(UNKNOWN_FIELD.format(name, where))
        values[name] = value
    return values


def parse_decimal(name: str, value: str) -> Decimal:
    try:
        result = Decimal(value.replace(",", "").strip())
    except InvalidOperation as exc:
        raise TxFailure(BAD_VALUE.format(name, value)) from exc
    if not result.is_finite():
        raise TxFailure(BAD_VALUE.format(name, value))
    return result


def parse_day(name: str, value: str) -> date:
    text = value.strip()
    try:
        if "/" in text:
            return datetime.strptime(text, "%m/%d/%Y").replace(tzinfo=UTC).date()
        return datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise TxFailure(BAD_VALUE.format(name, value)) from exc


def parse_text(name: str, value: str, limit: int) -> str | None:
    """A free-text column of at most ``limit`` characters; an empty value clears it (None)."""
    if len(value) > limit:
        raise TxFailure(TOO_LONG.format(name, limit))
    return value or None


def parse_flag(name: str, value: str) -> str:
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return "Y"
    if lowered in FALSE_WORDS:
        return "N"
    raise TxFailure(BAD_VALUE.format(name, value))


def money_text(value: Decimal) -> str:
    """Amounts as P21 shows them: at least two decimals."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def as_edits(values: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": "" if v is None else str(v)} for k, v in values.items()]


def form(name: str, values: dict[str, Any], keys: Iterable[str] = ()) -> dict[str, Any]:
    return {"Name": name, "Type": "Form", "Keys": list(keys), "Rows": [{"Edits": as_edits(values)}]}


def listing(name: str, rows: list[dict[str, Any]], keys: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "List",
        "Keys": list(keys),
        "Rows": [{"Edits": as_edits(r)} for r in rows],
    }
