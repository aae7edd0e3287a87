"""Stripe billing → P21, as pure functions: a paid invoice's lines as order lines (items through
line, price or product metadata, else the fallback service item), each line's service period
(also written on its P21 line as the extended description, `Service 2026-11-01 to 2026-12-01`),
and the minimal P21 representation of a subscription on its customer."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stripe_p21.connectors.p21.schemas import OrderDraft, OrderLine
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.dates import company_day
from stripe_p21.pipeline.mapping.money import to_decimal
from stripe_p21.pipeline.mapping.orders import sales_order

SUBSCRIPTION_NOTE_FIELD = "Notes"
"""Entity field the `customer_note` representation writes (assumed name; one line to change)."""
SUBSCRIPTION_UDF_FIELD = "UserDefinedFields"
"""Entity field the `user_defined_fields` representation writes (assumed name)."""


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One Stripe invoice line ready for P21: the item, quantity, price and service period."""

    stripe_line_id: str
    item_id: str
    rule: str
    quantity: Decimal
    unit_price: Decimal
    description: str | None
    period_start: str | None
    period_end: str | None


def _metadata_item(line: Mapping[str, Any]) -> str | None:
    sources: list[Any] = [line.get("metadata")]
    price = line.get("price")
    if isinstance(price, dict):
        sources.append(price.get("metadata"))
        product = price.get("product")
        if isinstance(product, dict):
            sources.append(product.get("metadata"))
    for meta in sources:
        if isinstance(meta, dict):
            for key in ("p21_item_id", "sku"):
                value = str(meta.get(key) or "").strip()
                if value:
                    return value
    return None


def requested_items(invoice: Mapping[str, Any]) -> list[str]:
    """Item ids the invoice's lines name in their metadata (what to ask P21 about)."""
    lines = ((invoice.get("lines") or {}).get("data")) or []
    return sorted({item for line in lines if (item := _metadata_item(line))})


def invoice_lines(
    invoice: Mapping[str, Any], known_items: Collection[str], mapping: MappingConfig
) -> list[InvoiceLine]:
    """Every line with an amount; lines naming no known item use the fallback service item."""
    known = {item.upper(): item for item in known_items}
    zone, currency = mapping.company.zone, str(invoice["currency"])
    result = []
    for line in ((invoice.get("lines") or {}).get("data")) or []:
        amount = int(line.get("amount") or 0)
        if amount == 0:
            continue
        named = _metadata_item(line)
        item = known.get(named.upper()) if named else None
        quantity = Decimal(int(line.get("quantity") or 1))
        if quantity <= 0 or amount % int(quantity):
            quantity = Decimal(1)  # a price that does not divide evenly: one line of the amount
        period = line.get("period") or {}
        start, end = period.get("start"), period.get("end")
        result.append(
            InvoiceLine(
                stripe_line_id=str(line.get("id")),
                item_id=item or mapping.orders.fallback_item_id,
                rule="metadata_item_id" if item else "fallback",
                quantity=quantity,
                unit_price=to_decimal(amount, currency) / quantity,
                description=line.get("description"),
                period_start=company_day(int(start), zone).isoformat() if start else None,
                period_end=company_day(int(end), zone).isoformat() if end else None,
            )
        )
    return result


def service_period_text(start: str | None, end: str | None) -> str | None:
    """A line's service period as its P21 extended description, in company-local ISO days with
    the last day of service shown (Stripe's `period.end` is the instant the next period starts):
    `Service 2026-11-01 through 2026-11-30`; only what is known when one end is missing; None
    without a period."""
    last = end
    if end and (start is None or end > start):
        last = (date.fromisoformat(end) - timedelta(days=1)).isoformat()
    if start and last:
        return f"Service {start} through {last}"
    if start:
        return f"Service from {start}"
    if last:
        return f"Service through {last}"
    return None


def order_line(line: InvoiceLine) -> OrderLine:
    """The P21 order line of an invoice line, its service period in `extended_desc`."""
    text = service_period_text(line.period_start, line.period_end)
    return OrderLine(line.item_id, line.quantity, line.unit_price, extended_desc=text)


def invoice_order(
    invoice: Mapping[str, Any],
    charge: Mapping[str, Any],
    *,
    customer_id: int | str,
    lines: list[InvoiceLine],
    mapping: MappingConfig,
) -> OrderDraft:
    """The sales order for a paid invoice, keyed by the charge that paid it; each line carries
    its service period (`extended_desc`)."""
    order_lines = tuple(order_line(ln) for ln in lines)
    del invoice  # the lines carry what the order needs; the invoice id goes on the link
    return sales_order(charge, customer_id=customer_id, lines=order_lines, mapping=mapping)


def service_periods(lines: list[InvoiceLine]) -> list[dict[str, Any]]:
    """Per line: item, description and service period (kept for deferred revenue)."""
    return [
        {"stripe_line_id": ln.stripe_line_id, "item_id": ln.item_id, "description": ln.description,
         "start": ln.period_start, "end": ln.period_end}
        for ln in lines
    ]  # fmt: skip


def subscription_state(subscription: Mapping[str, Any]) -> dict[str, Any]:
    """What P21 should know about a subscription: id, status, plan and current period."""
    items = ((subscription.get("items") or {}).get("data")) or []
    plans = []
    for item in items:
        price = item.get("price") or {}
        plans.append(str(price.get("nickname") or price.get("id") or ""))
    first = items[0] if items else {}
    return {
        "id": str(subscription["id"]),
        "status": str(subscription.get("status") or "unknown"),
        "plan": ", ".join(p for p in plans if p),
        "current_period_end": first.get("current_period_end"),
        "canceled_at": subscription.get("canceled_at"),
    }


def subscription_fields(state: Mapping[str, Any], mapping: MappingConfig) -> dict[str, Any]:
    """The customer fields that carry the subscription, per `subscriptions.representation`."""
    zone = mapping.company.zone
    until = state.get("current_period_end")
    until_text = company_day(int(until), zone).isoformat() if until else "-"
    if mapping.subscriptions.representation == "user_defined_fields":
        return {
            SUBSCRIPTION_UDF_FIELD: {
                "stripe_subscription_id": state["id"],
                "stripe_subscription_status": state["status"],
                "stripe_subscription_plan": state["plan"],
                "stripe_subscription_period_end": until_text,
            }
        }
    note = (f"Stripe subscription {state['id']}: {state['status']}; plan {state['plan'] or '-'}; "
            f"current period ends {until_text}")  # fmt: skip
    return {SUBSCRIPTION_NOTE_FIELD: note}
