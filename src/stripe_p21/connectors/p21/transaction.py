"""Pure builders of Transaction API payloads and the reader of their answers.

The Transaction API replays edits like keystrokes, every value a string, and answers HTTP 200
even when the transaction failed. Builders here are pure (snapshot-tested); ``read_outcome``
is the only place that decides whether a transaction passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from stripe_p21.connectors.p21.errors import (
    P21RejectedError,
    P21TransientError,
    is_session_pool_error,
)
from stripe_p21.connectors.p21.schemas import (
    OrderDraft,
    OrderLine,
    Payment,
    extended_desc_text,
    format_amount,
    format_quantity,
)

ORDER_FORM = "TABPAGE_1.order"
ITEMS_LIST = "TP_ITEMS.items"
REMITTANCES_LIST = "TP_REMITTANCES.remittances"
CARD_RESPONSE_FORM = "TP_CCTRANSACTIONRESPONSE.cctransactionresponse"
LINE_KEY = "user_line_no"

Edits = Sequence[tuple[str, str | None]]


def data_element(name: str, kind: str, rows: Iterable[Edits], keys: Sequence[str] = ()) -> Any:
    """One DataElement; edits with a ``None`` value are left out (P21 keeps its default)."""
    return {
        "Name": name,
        "Type": kind,
        "Keys": list(keys),
        "Rows": [
            {
                "Edits": [{"Name": n, "Value": v} for n, v in row if v is not None],
                "RelativeDateEdits": [],
            }
            for row in rows
        ],
    }


def transaction_set(service: str, transactions: Iterable[list[Any]]) -> dict[str, Any]:
    """The POST body: one service, several independent transactions of DataElements."""
    return {
        "Name": service,
        "UseCodeValues": False,
        "IgnoreDisabled": False,
        "Transactions": [{"Status": "New", "DataElements": elements} for elements in transactions],
    }


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def line_rows(lines: Sequence[OrderLine]) -> list[Edits]:
    """Item rows keyed by ``user_line_no`` (without keys P21 merges rows of the same item); a
    line's ``extended_desc`` is sent only when it has one."""
    return [
        [
            (LINE_KEY, f"{index * 10:03d}"),
            ("oe_order_item_id", line.item_id),
            ("unit_quantity", format_quantity(line.quantity)),
            ("unit_of_measure", line.unit_of_measure),
            ("unit_price", None if line.unit_price is None else format_amount(line.unit_price)),
            ("extended_desc", extended_desc_text(line.extended_desc)),
        ]
        for index, line in enumerate(lines, start=1)
    ]


def payment_elements(payment: Payment) -> list[Any]:
    """The remittance row, plus the card-authorisation form when an authorisation is known."""
    row: Edits = [
        ("payment_type_id", payment.payment_type_id),
        ("payment_amount", format_amount(payment.amount)),
        ("payment_desc", payment.reference),
        ("payment_date", _date(payment.payment_date)),
        ("cc_authorized_number", payment.authorization_number),
    ]
    elements = [data_element(REMITTANCES_LIST, "List", [row])]
    if payment.authorization_number:
        auth = [("authorization_number", payment.authorization_number)]
        elements.append(data_element(CARD_RESPONSE_FORM, "Form", [auth]))
    return elements


def order_elements(draft: OrderDraft) -> list[Any]:
    """Header (customer first, as a person would type it), lines, then the payment."""
    header: list[tuple[str, str | None]] = [
        ("customer_id", str(draft.customer_id)),
        ("sales_loc_id", draft.location_id),
        ("source_loc_id", draft.location_id),
        ("po_no", draft.po_no),
        ("order_date", _date(draft.order_date)),
        ("requested_date", _date(draft.requested_date)),
        ("taker", draft.taker),
        ("currency_id", draft.currency_id),
        *draft.extra_edits,
    ]
    elements = [data_element(ORDER_FORM, "Form", [header])]
    elements.append(data_element(ITEMS_LIST, "List", line_rows(draft.lines), keys=[LINE_KEY]))
    if draft.payment is not None:
        elements.extend(payment_elements(draft.payment))
    return elements


def build_order(draft: OrderDraft, *, service: str = "Order") -> dict[str, Any]:
    """Create a sales order (``service="RMA"`` for a return that becomes a credit memo)."""
    return transaction_set(service, [order_elements(draft)])


def build_add_payment(order_no: str, payment: Payment) -> dict[str, Any]:
    """Keyed update: a remittance row added to an existing order."""
    header = data_element(ORDER_FORM, "Form", [[("order_no", order_no)]], keys=["order_no"])
    return transaction_set("Order", [[header, *payment_elements(payment)]])


def build_order_flags(order_no: str, edits: Edits) -> dict[str, Any]:
    """Keyed update of header flags: hold (approved N), release (approved Y), cancel."""
    rows = [[("order_no", order_no), *edits]]
    return transaction_set("Order", [[data_element(ORDER_FORM, "Form", rows, keys=["order_no"])]])


@dataclass(frozen=True)
class TransactionOutcome:
    """What P21 said about each transaction of one POST."""

    succeeded: int
    failed: int
    messages: tuple[str, ...]
    transactions: tuple[dict[str, Any], ...]

    def value(self, element: str, name: str, index: int = 0) -> str | None:
        """A field of a passed transaction's answer, e.g. the new ``order_no``."""
        if index >= len(self.transactions):
            return None
        for data in self.transactions[index].get("DataElements") or []:
            if data.get("Name") != element:
                continue
            for row in data.get("Rows") or []:
                for edit in row.get("Edits") or []:
                    if edit.get("Name") == name and edit.get("Value") not in (None, ""):
                        return str(edit["Value"])
        return None


def read_outcome(body: Any, *, path: str = "") -> TransactionOutcome:
    """Parse an answer; any ``Failed`` transaction raises ``P21RejectedError`` with P21's text."""
    if not isinstance(body, dict) or "Summary" not in body:
        raise P21RejectedError("Transaction API answer has no Summary", path=path)
    summary = body.get("Summary") or {}
    transactions = tuple((body.get("Results") or {}).get("Transactions") or [])
    messages = tuple(str(m) for m in body.get("Messages") or [])
    statuses = [str(t.get("Status", "")) for t in transactions]
    failed = int(summary.get("Failed") or 0) + statuses.count("Failed")
    succeeded = max(int(summary.get("Succeeded") or 0), statuses.count("Passed"))
    if failed or not succeeded:
        text = "; ".join(messages) or "Transaction failed without a message"
        if is_session_pool_error(text):
            raise P21TransientError(text, status_code=200, path=path)
        raise P21RejectedError(text, messages=messages, status_code=200, path=path)
    return TransactionOutcome(succeeded, failed, messages, transactions)
