"""Money for scenarios: USD list prices converted to each currency's minor units, Stripe's fee
for card and ACH payments, and minor units written as decimal strings for the ground truth."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from stripe_p21.sandbox.stripe.currency import exponent, processing_fee

RATES: dict[str, Decimal] = {
    "usd": Decimal("1"),
    "cad": Decimal("1.38"),
    "eur": Decimal("0.92"),
    "jpy": Decimal("151"),
    "kwd": Decimal("0.307"),
}
"""Fixed scenario exchange rates: units of the currency per US dollar."""

ACH_FEE_BPS = 80
ACH_FEE_CAP = 500
"""ACH Direct Debit: 0.8 %, capped at $5.00."""

DISPUTE_FEE_MAJOR = 15
"""Stripe's dispute fee, in major units of the dispute's currency."""


def minor_units(major: Decimal, currency: str) -> int:
    """`major` (e.g. Decimal("12.34")) in the currency's smallest unit; three-decimal currencies
    are rounded to a multiple of 10, as Stripe requires."""
    exp = exponent(currency)
    scaled = (major * (10**exp)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    amount = int(scaled)
    if exp == 3:
        amount = (amount + 5) // 10 * 10
    return amount


def price_in(usd_price: Decimal, currency: str) -> int:
    """A USD list price converted to `currency`, in minor units."""
    return minor_units(usd_price * RATES[currency], currency)


def as_decimal(amount: int, currency: str) -> str:
    """Minor units as a decimal string with the currency's exponent: 1234 USD → "12.34",
    1234 JPY → "1234", 12340 KWD → "12.340"."""
    exp = exponent(currency)
    value = Decimal(amount).scaleb(-exp)
    return f"{value:.{exp}f}"


def card_fee(amount: int, currency: str) -> int:
    """Stripe's card processing fee in minor units."""
    return processing_fee(amount, currency)


def ach_fee(amount: int) -> int:
    """Stripe's ACH Direct Debit fee in cents."""
    return min(ACH_FEE_CAP, (amount * ACH_FEE_BPS + 5_000) // 10_000)


def dispute_fee(currency: str) -> int:
    """The dispute fee in minor units of `currency`."""
    return minor_units(Decimal(DISPUTE_FEE_MAJOR), currency)


def split_partial(amount: int, currency: str, parts: int, share: Decimal) -> list[int]:
    """`parts` partial refunds that together return `share` of `amount`; each is a valid amount
    (multiples of 10 in three-decimal currencies), and their sum never exceeds `amount`."""
    step = 10 if exponent(currency) == 3 else 1
    total = int(Decimal(amount) * share) // step * step
    base = total // parts // step * step
    refunds = [base] * parts
    refunds[-1] += total - base * parts
    return [value for value in refunds if value > 0]
