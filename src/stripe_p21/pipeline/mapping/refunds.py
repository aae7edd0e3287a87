"""Refund → RMA (credit memo): pure functions from a Stripe refund, the original order's lines
and the mapping configuration to the `OrderDraft` P21's `RMA` service takes.

Money stays in integer minor units until the draft is built; every strategy credits exactly the
refund amount (largest-remainder rounding for `proportional`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from stripe_p21.connectors.p21.schemas import OrderDraft, OrderLine
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.mapping.dates import company_day
from stripe_p21.pipeline.mapping.money import to_decimal, to_minor

RefundAction = Literal["credit", "wait", "void"]
"""`credit`: the refund needs its RMA; `wait`: not decided yet; `void`: failed or canceled."""

Strategy = Literal["proportional", "single_item", "by_metadata"]


class RefundMappingError(ValueError):
    """The refund cannot be turned into an RMA as configured (a person must decide)."""


@dataclass(frozen=True, slots=True)
class OriginalLine:
    """A line of the charge's P21 order: what a proportional refund is spread over."""

    item_id: str
    quantity: Decimal
    unit_price: Decimal
    value_minor: int
    """Extended price in the order currency's minor units."""


@dataclass(frozen=True, slots=True)
class CreditLine:
    """One RMA line: `quantity` times `unit_price` is exactly `amount_minor`."""

    item_id: str
    quantity: Decimal
    amount_minor: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class RmaPlan:
    """The RMA to create for one refund, and how its amount was allocated."""

    draft: OrderDraft
    strategy: Strategy
    lines: tuple[CreditLine, ...]
    amount_minor: int
    currency: str
    note: str | None = None


def refund_action(refund: Mapping[str, Any]) -> RefundAction:
    """What a refund's status asks of P21. Pending refunds are credited (Stripe has taken
    them); `requires_action` waits for its next update; failed and canceled ones never are."""
    status = str(refund.get("status") or "")
    if status in ("succeeded", "pending"):
        return "credit"
    if status in ("failed", "canceled"):
        return "void"
    return "wait"


def allocate_proportional(amount_minor: int, weights: Sequence[int]) -> list[int]:
    """Spread `amount_minor` over `weights` by value, exact to the minor unit.

    Largest remainder: each share is floored, and the units left over go to the largest
    fractional parts (earlier lines first on ties). The shares always sum to `amount_minor`."""
    if amount_minor < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights must not be negative")
    total = sum(weights)
    if total == 0:
        raise ValueError("cannot allocate over lines worth nothing")
    shares = [amount_minor * w // total for w in weights]
    remainders = [amount_minor * w % total for w in weights]
    left = amount_minor - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:left]:
        shares[index] += 1
    return shares


def _money_line(item_id: str, amount: int, currency: str) -> CreditLine:
    """A money-only credit: quantity 1 at the credited amount."""
    return CreditLine(item_id, Decimal(1), amount, to_decimal(amount, currency))


def _proportional(
    amount: int, original: Sequence[OriginalLine], currency: str
) -> tuple[CreditLine, ...]:
    """Whole lines come back with their quantity and price; partial ones as money lines."""
    shares = allocate_proportional(amount, [line.value_minor for line in original])
    credited = []
    for line, share in zip(original, shares, strict=True):
        if share == 0:
            continue
        exact = line.quantity > 0 and line.quantity * line.unit_price == to_decimal(
            line.value_minor, currency
        )
        if share == line.value_minor and exact:
            credited.append(CreditLine(line.item_id, line.quantity, share, line.unit_price))
        else:
            credited.append(_money_line(line.item_id, share, currency))
    return tuple(credited)


def metadata_lines(metadata: Mapping[str, Any], currency: str) -> tuple[CreditLine, ...]:
    """Lines named in refund metadata: `line_N_p21_item_id`, `line_N_amount` (decimal in the
    refund currency) and optionally `line_N_qty`, for N = 1, 2, … without gaps."""
    found = []
    n = 1
    while f"line_{n}_p21_item_id" in metadata:
        item = str(metadata[f"line_{n}_p21_item_id"]).strip()
        raw_amount = metadata.get(f"line_{n}_amount")
        if not item or raw_amount in (None, ""):
            raise RefundMappingError(f"refund metadata line {n} needs an item id and an amount")
        try:
            amount = to_minor(Decimal(str(raw_amount).strip()), currency)
            quantity = Decimal(str(metadata.get(f"line_{n}_qty") or "1"))
        except (ArithmeticError, ValueError) as exc:
            raise RefundMappingError(f"refund metadata line {n}: {exc}") from None
        if amount <= 0 or quantity <= 0:
            raise RefundMappingError(f"refund metadata line {n}: amount and qty must be > 0")
        unit = to_decimal(amount, currency) / quantity
        if unit * quantity != to_decimal(amount, currency) or unit != unit.quantize(
            to_decimal(1, currency)
        ):
            quantity, unit = Decimal(1), to_decimal(amount, currency)
        found.append(CreditLine(item, quantity, amount, unit))
        n += 1
    return tuple(found)


def _single(amount: int, item_id: str, currency: str) -> tuple[CreditLine, ...]:
    return (_money_line(item_id, amount, currency),)


def _allocate(
    refund: Mapping[str, Any], original: Sequence[OriginalLine], config: MappingConfig
) -> tuple[Strategy, tuple[CreditLine, ...], str | None]:
    amount, currency = int(refund["amount"]), str(refund["currency"]).lower()
    fallback_item = config.refunds.refund_item_id or config.orders.fallback_item_id
    strategy: Strategy = config.refunds.strategy
    if strategy == "single_item":
        return strategy, _single(amount, fallback_item, currency), None
    if strategy == "by_metadata":
        named = metadata_lines(refund.get("metadata") or {}, currency)
        if named:
            total = sum(line.amount_minor for line in named)
            if total != amount:
                raise RefundMappingError(
                    f"refund metadata lines credit {total} but the refund is {amount} "
                    f"({currency} minor units)"
                )
            return strategy, named, None
        note = "no lines in refund metadata: allocated proportionally"
        strategy = "proportional"
    else:
        note = None
    if not original or sum(line.value_minor for line in original) == 0:
        why = "the original order has no priced lines: credited to the refund item"
        return "single_item", _single(amount, fallback_item, currency), why
    return strategy, _proportional(amount, original, currency), note


def company_date(timestamp: int, config: MappingConfig) -> date:
    """A Stripe `created` (Unix seconds, UTC) as a date in the company's time zone."""
    return company_day(int(timestamp), config.company.zone)


def rma_plan(
    refund: Mapping[str, Any],
    *,
    customer_id: int | str,
    original: Sequence[OriginalLine],
    config: MappingConfig,
) -> RmaPlan:
    """The RMA for one refund: `po_no` is the refund id, lines credit exactly its amount."""
    amount, currency = int(refund["amount"]), str(refund["currency"]).lower()
    if amount <= 0:
        raise RefundMappingError(f"refund {refund.get('id')} has no positive amount")
    strategy, lines, note = _allocate(refund, original, config)
    draft = OrderDraft(
        customer_id=customer_id,
        po_no=str(refund["id"]),
        lines=tuple(OrderLine(line.item_id, line.quantity, line.unit_price) for line in lines),
        order_date=company_date(int(refund["created"]), config),
        location_id=config.company.location_id,
        taker=config.company.taker,
        currency_id=currency.upper(),
    )
    return RmaPlan(draft, strategy, lines, amount, currency, note)


def original_lines(lines: Sequence[Any], currency: str) -> tuple[OriginalLine, ...]:
    """`OrderLineRecord`s of the P21 order (or anything with item_id, quantity, unit_price,
    extended_price) as allocation weights in minor units."""
    result = []
    for line in lines:
        extended = Decimal(line.extended_price).quantize(to_decimal(1, currency))
        result.append(
            OriginalLine(
                item_id=str(line.item_id),
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
                value_minor=max(0, to_minor(extended, currency)),
            )
        )
    return tuple(result)
