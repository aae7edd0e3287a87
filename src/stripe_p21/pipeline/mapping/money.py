"""Money at the P21 boundary: integer minor units with a currency become a `Decimal`.

Stripe's zero-decimal currencies have no minor unit (JPY 1500 is ¥1500); three-decimal ones
(KWD, BHD, JOD, OMR, TND) have thousandths. Everything else has cents."""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def exponent(currency: str) -> int:
    """Digits after the decimal point for `currency` (ISO code, any case)."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    """`1804760, "kwd"` → `Decimal("1804.760")`; `151000, "jpy"` → `Decimal("151000")`."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError(f"amounts are integer minor units, not {type(amount_minor).__name__}")
    places = exponent(currency)
    return Decimal(amount_minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def to_minor(amount: Decimal | str, currency: str) -> int:
    """The inverse of `to_decimal`; refuses amounts with more digits than the currency has."""
    value = Decimal(amount)
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.upper()} allows")
    return int(scaled)
