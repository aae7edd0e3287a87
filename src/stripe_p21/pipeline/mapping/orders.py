"""Charge → P21 sales order, as pure functions: which flow a charge belongs to, its lines (from
metadata, mapped to P21 items by the configured rules), the remittance row and the order draft.
In `orders.mode: direct_invoice` the same draft becomes a direct invoice (order, payment and
invoice in one step; `invoices_at_payment`), and the field table adds its `InvoiceNumber`.

Nothing here does I/O: the sync flow looks the candidate item ids up in P21 first and passes the
ones P21 knows in `known_items`."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from stripe_p21.connectors.p21.schemas import OrderDraft, OrderLine, Payment
from stripe_p21.pipeline.mapping.config import MappingConfig, Orders
from stripe_p21.pipeline.mapping.dates import company_day, p21_date_text
from stripe_p21.pipeline.mapping.money import to_decimal, to_minor

ChargeRoute = Literal["skip", "billing", "order_payment", "invoice_payment", "new_order"]
LINE_KEY = re.compile(r"^line_(\d+)_(p21_item_id|sku|qty|unit_price)$")


@dataclass(frozen=True, slots=True)
class RequestedLine:
    """A line as the web shop described it in the metadata."""

    number: int
    p21_item_id: str | None
    sku: str | None
    quantity: Decimal
    unit_price: Decimal | None


@dataclass(frozen=True, slots=True)
class UnknownItem:
    """A line that names an item P21 does not have."""

    line: int
    requested: str


@dataclass(frozen=True, slots=True)
class LineMapping:
    lines: tuple[OrderLine, ...]
    rules: tuple[str, ...]
    """Per line, the rule that mapped it: metadata_item_id, sku, fallback or adjustment."""
    unknown: tuple[UnknownItem, ...]


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def invoice_of(charge: Mapping[str, Any]) -> str | None:
    """The Stripe invoice a charge pays (older API versions name it; the metadata otherwise)."""
    invoice = charge.get("invoice")
    if isinstance(invoice, dict):
        invoice = invoice.get("id")
    return _text(invoice) or _text((charge.get("metadata") or {}).get("stripe_invoice"))


def route_charge(charge: Mapping[str, Any]) -> tuple[ChargeRoute, str]:
    """Which flow the charge belongs to, and why (the reason is recorded in notes)."""
    if charge.get("status") != "succeeded" or not charge.get("paid", True):
        return "skip", f"charge status {charge.get('status')!r}: no P21 document until it succeeds"
    outcome = charge.get("outcome") or {}
    if outcome.get("type") in ("blocked", "issuer_declined", "invalid"):
        return "skip", f"charge outcome {outcome.get('type')!r}"
    if invoice_of(charge):
        return "billing", "the charge pays a Stripe invoice: the billing flow documents it"
    metadata = charge.get("metadata") or {}
    if _text(metadata.get("p21_order_no")):
        return "order_payment", "metadata names an existing P21 order"
    if _text(metadata.get("p21_invoice_no")):
        return "invoice_payment", "metadata names an existing P21 invoice"
    return "new_order", "a new sales order"


def _decimal(value: Any, default: Decimal | None) -> Decimal | None:
    text = _text(value)
    if text is None:
        return default
    try:
        result = Decimal(text)
    except InvalidOperation:
        return default
    return result if result.is_finite() else default


def requested_lines(metadata: Mapping[str, Any]) -> list[RequestedLine]:
    """`line_N_p21_item_id` / `line_N_sku`, `line_N_qty`, `line_N_unit_price`, in line order."""
    numbers = sorted({int(m.group(1)) for key in metadata if (m := LINE_KEY.match(str(key)))})
    lines = []
    for n in numbers:
        lines.append(
            RequestedLine(
                number=n,
                p21_item_id=_text(metadata.get(f"line_{n}_p21_item_id")),
                sku=_text(metadata.get(f"line_{n}_sku")),
                quantity=_decimal(metadata.get(f"line_{n}_qty"), Decimal(1)) or Decimal(1),
                unit_price=_decimal(metadata.get(f"line_{n}_unit_price"), None),
            )
        )
    return lines


def candidate_items(lines: Collection[RequestedLine]) -> list[str]:
    """Every item id the lines could map to (what the sync flow asks P21 about)."""
    found = {ref for line in lines for ref in (line.p21_item_id, line.sku) if ref}
    return sorted(found)


def _map_one(
    line: RequestedLine, known: Mapping[str, str], config: Orders
) -> tuple[str | None, str]:
    named = False
    for rule in config.item_rules:
        ref = line.p21_item_id if rule == "metadata_item_id" else line.sku
        if ref is None:
            continue
        named = True
        if ref.upper() in known:
            return known[ref.upper()], rule
    return (None, "unknown") if named else (config.fallback_item_id, "fallback")


def map_lines(
    requested: Collection[RequestedLine],
    known_items: Collection[str],
    config: Orders,
    *,
    total_minor: int,
    currency: str,
) -> LineMapping:
    """P21 lines for the requested ones; a line naming an item P21 lacks is `unknown`. When the
    lines do not add up to the amount paid (or there are none), a fallback line carries the rest
    so the order total always equals the payment."""
    known = {item.upper(): item for item in known_items}
    lines: list[OrderLine] = []
    rules: list[str] = []
    unknown: list[UnknownItem] = []
    for line in requested:
        item_id, rule = _map_one(line, known, config)
        if item_id is None:
            unknown.append(UnknownItem(line.number, str(line.p21_item_id or line.sku)))
            continue
        lines.append(OrderLine(item_id, line.quantity, line.unit_price))
        rules.append(rule)
    if unknown:
        return LineMapping(tuple(lines), tuple(rules), tuple(unknown))
    total = to_decimal(total_minor, currency)
    priced = sum((Decimal(str(ln.quantity)) * Decimal(str(ln.unit_price or 0)) for ln in lines),
                 Decimal(0))  # fmt: skip
    unpriced = any(ln.unit_price is None for ln in lines)
    if not lines or (not unpriced and priced != total):
        rest = total - priced
        lines.append(OrderLine(config.fallback_item_id, 1, rest))
        rules.append("fallback" if len(lines) == 1 else "adjustment")
    return LineMapping(tuple(lines), tuple(rules), ())


def _payment_method_type(charge: Mapping[str, Any]) -> str:
    details = charge.get("payment_method_details") or {}
    return str(details.get("type") or "card")


def payment_type_id(charge: Mapping[str, Any], config: Orders) -> str:
    """The configured P21 payment type: the ACH one for bank debits when configured."""
    if _payment_method_type(charge) == "us_bank_account" and config.payment_type_ach_id:
        return config.payment_type_ach_id
    return config.payment_type_id


def paid_at(charge: Mapping[str, Any]) -> int:
    """When the money was booked: the balance transaction's time, else the charge's."""
    txn = charge.get("balance_transaction")
    if isinstance(txn, dict) and isinstance(txn.get("created"), int):
        return int(txn["created"])
    return int(charge["created"])


def amount_paid_minor(charge: Mapping[str, Any]) -> int:
    captured = charge.get("amount_captured")
    return int(captured) if isinstance(captured, int) and captured > 0 else int(charge["amount"])


def payment_row(charge: Mapping[str, Any], mapping: MappingConfig) -> Payment:
    """The remittance: amount in the charge currency, the charge id as reference."""
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return Payment(
        amount=to_decimal(amount_paid_minor(charge), str(charge["currency"])),
        reference=str(charge["id"]),
        payment_type_id=payment_type_id(charge, mapping.orders),
        payment_date=company_day(paid_at(charge), mapping.company.zone),
        authorization_number=_text(card.get("authorization_code")),
    )


def sales_order(
    charge: Mapping[str, Any],
    *,
    customer_id: int | str,
    lines: tuple[OrderLine, ...],
    mapping: MappingConfig,
) -> OrderDraft:
    """The sales order for a charge, keyed by the charge id in `po_no`."""
    company = mapping.company
    return OrderDraft(
        customer_id=customer_id,
        po_no=str(charge["id"]),
        lines=lines,
        payment=payment_row(charge, mapping),
        order_date=company_day(int(charge["created"]), company.zone),
        location_id=company.location_id,
        taker=company.taker,
        currency_id=str(charge["currency"]).upper(),
    )


def invoices_at_payment(mapping: MappingConfig) -> bool:
    """`orders.mode: direct_invoice`: a payment that would create a sales order creates a direct
    invoice of it instead (the business invoices at payment)."""
    return mapping.orders.mode == "direct_invoice"


def field_table(
    draft: OrderDraft, order_no: str, mapping: MappingConfig, *, invoice_no: str | None = None
) -> dict[str, str]:
    """The integration brief's field table for one synced order, as P21 holds it (with the
    invoice's number when the order was invoiced at payment)."""
    date_format = mapping.company.date_format
    total = sum(
        (Decimal(str(ln.quantity)) * Decimal(str(ln.unit_price or 0)) for ln in draft.lines),
        Decimal(0),
    )
    payment = draft.payment
    invoice = {} if invoice_no is None else {"InvoiceNumber": invoice_no}
    return {
        "OrderNumber": order_no,
        **invoice,
        "CustomerNumber": str(draft.customer_id),
        "OrderDate": p21_date_text(draft.order_date, date_format) if draft.order_date else "",
        "TotalAmount": f"{total:f}",
        "PaymentAmount": f"{Decimal(str(payment.amount)):f}" if payment else "",
        "PaymentDate": p21_date_text(payment.payment_date, date_format)
        if payment and payment.payment_date
        else "",
        "Currency": draft.currency_id or "",
        "CashAccount": mapping.gl.account("stripe_clearing"),
        "RevenueAccount": mapping.gl.account("sales"),
    }


def elevated_without_review(charge: Mapping[str, Any]) -> bool:
    """Radar let the payment through at elevated risk and opened no review on it."""
    outcome = charge.get("outcome") or {}
    return outcome.get("risk_level") == "elevated" and not charge.get("review")


def writeback(metadata: Mapping[str, Any], wanted: Mapping[str, str]) -> dict[str, str]:
    """The metadata keys that still differ from what we want written back (empty: nothing)."""
    return {k: v for k, v in wanted.items() if str(metadata.get(k) or "") != v}


def minor_units(amount: Decimal | str, currency: str) -> int:
    return to_minor(amount, currency)
