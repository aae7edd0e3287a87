"""Currency exponents and fees, so JPY (zero-decimal) and KWD (three-decimal) amounts are right.

Stripe amounts are integers in the currency's smallest unit; converting blindly by 100 is a bug.
"""

from __future__ import annotations

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv"}
    | {"xaf", "xof", "xpf"}
)
"""Currencies without a minor unit: `amount=1000` in JPY is ¥1,000."""

THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})
"""Currencies with three decimals; Stripe requires amounts that are multiples of 10."""

PERCENT_FEE_BPS = 290
"""Card fee in basis points, like Stripe's standard US pricing (2.9 %)."""

FIXED_FEE_MAJOR_THOUSANDTHS = 300
"""Fixed fee per charge in thousandths of a major unit (0.30), converted per currency."""


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def minimum_amount(currency: str) -> int:
    """Smallest chargeable amount in minor units (about 0.50 of a major unit, or 50 JPY)."""
    exp = exponent(currency)
    return 50 if exp == 0 else 5 * 10 ** (exp - 1)


def amount_problem(amount: int, currency: str) -> str | None:
    """Why Stripe would refuse `amount` in `currency`, or None when it is acceptable."""
    if amount < minimum_amount(currency):
        return f"Amount must be at least {minimum_amount(currency)} {currency.lower()}"
    if exponent(currency) == 3 and amount % 10:
        return (
            f"Amounts in {currency.upper()} must be multiples of 10 in the smallest unit "
            "(round to two decimals)."
        )
    return None


def processing_fee(amount: int, currency: str) -> int:
    """Stripe-style fee in minor units: a percentage plus a fixed part scaled to the currency."""
    exp = exponent(currency)
    percent = (amount * PERCENT_FEE_BPS + 5_000) // 10_000
    fixed = (FIXED_FEE_MAJOR_THOUSANDTHS * int(10**exp) + 500) // 1_000
    if exp == 3:
        fixed = (fixed + 5) // 10 * 10
        percent = (percent + 5) // 10 * 10
    return percent + fixed
