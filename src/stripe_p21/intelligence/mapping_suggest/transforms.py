"""How a source value becomes a target value: which transform a kind pair needs, how well the
kinds fit, and the transform applied to sample values (so value profiles compare like with like).
Money stays integer minor units until the P21 boundary, where the currency's exponent applies."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from stripe_p21.intelligence.mapping_suggest.schema import Kind, SchemaField

ZERO_DECIMAL = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
})  # fmt: skip
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


class Transform(enum.StrEnum):
    COPY = "copy"
    MINOR_TO_DECIMAL = "minor_to_decimal"
    UNIX_TO_DATE = "unix_to_p21_date"
    UNIX_TO_DATETIME = "unix_to_p21_datetime"
    CUSTOMER_LINK = "customer_link"
    ORDER_LINK = "order_link"
    BOOL_TO_FLAG = "bool_to_flag"
    UPPER = "upper"
    TO_STRING = "to_string"
    TO_NUMBER = "to_number"


DESCRIPTIONS: dict[Transform, str] = {
    Transform.COPY: "copied as is",
    Transform.MINOR_TO_DECIMAL: "integer minor units → decimal by the currency's exponent",
    Transform.UNIX_TO_DATE: "Unix seconds → P21 date (UTC, YYYY-MM-DD)",
    Transform.UNIX_TO_DATETIME: "Unix seconds → P21 datetime (UTC, ISO without zone)",
    Transform.CUSTOMER_LINK: "Stripe customer id → linked P21 customer id (customer_link)",
    Transform.ORDER_LINK: "Stripe payment id → the P21 order synced for it (sync_link)",
    Transform.BOOL_TO_FLAG: "boolean → P21 flag 'Y'/'N'",
    Transform.UPPER: "upper-cased (Stripe currencies are lower case, P21's upper)",
    Transform.TO_STRING: "number → string",
    Transform.TO_NUMBER: "numeric string → number",
}

# (source ref, target ref) → link transform: the id is looked up, never copied
LINKS: dict[tuple[str, str], Transform] = {
    ("customer", "customer"): Transform.CUSTOMER_LINK,
    ("charge", "order"): Transform.ORDER_LINK,
    ("payment_intent", "order"): Transform.ORDER_LINK,
}

STRIPE_ID = "stripe_id"
"""A target `ref` meaning "holds the id of the Stripe object itself" (po_no, payment_desc…)."""

T = Transform
# (source kind, target kind) → (fit 0..1, transform)
_FIT: dict[tuple[Kind, Kind], tuple[float, Transform]] = {
    (Kind.MONEY_MINOR, Kind.DECIMAL): (1.0, T.MINOR_TO_DECIMAL),
    (Kind.MONEY_MINOR, Kind.STRING): (0.4, T.MINOR_TO_DECIMAL),
    (Kind.MONEY_MINOR, Kind.INTEGER): (0.5, T.COPY),
    (Kind.INTEGER, Kind.DECIMAL): (0.8, T.COPY),
    (Kind.DECIMAL, Kind.INTEGER): (0.4, T.COPY),
    (Kind.TIMESTAMP, Kind.DATE): (1.0, T.UNIX_TO_DATE),
    (Kind.TIMESTAMP, Kind.DATETIME): (1.0, T.UNIX_TO_DATETIME),
    (Kind.TIMESTAMP, Kind.STRING): (0.3, T.UNIX_TO_DATETIME),
    (Kind.DATE, Kind.DATETIME): (0.9, T.COPY),
    (Kind.DATETIME, Kind.DATE): (0.9, T.COPY),
    (Kind.STRING, Kind.DATE): (0.4, T.COPY),
    (Kind.STRING, Kind.DATETIME): (0.4, T.COPY),
    (Kind.BOOLEAN, Kind.FLAG): (1.0, T.BOOL_TO_FLAG),
    (Kind.FLAG, Kind.BOOLEAN): (1.0, T.COPY),
    (Kind.BOOLEAN, Kind.STRING): (0.3, T.TO_STRING),
    (Kind.STRING, Kind.FLAG): (0.3, T.COPY),
    (Kind.CURRENCY, Kind.CURRENCY): (1.0, T.UPPER),
    (Kind.CURRENCY, Kind.STRING): (0.7, T.UPPER),
    (Kind.STRING, Kind.CURRENCY): (0.6, T.UPPER),
    (Kind.EMAIL, Kind.STRING): (0.8, T.COPY),
    (Kind.STRING, Kind.EMAIL): (0.6, T.COPY),
    (Kind.PHONE, Kind.STRING): (0.8, T.COPY),
    (Kind.STRING, Kind.PHONE): (0.6, T.COPY),
    (Kind.ID, Kind.STRING): (0.8, T.COPY),
    (Kind.STRING, Kind.ID): (0.8, T.COPY),
    (Kind.ID, Kind.INTEGER): (0.1, T.TO_NUMBER),
    (Kind.STRING, Kind.INTEGER): (0.5, T.TO_NUMBER),
    (Kind.STRING, Kind.DECIMAL): (0.3, T.TO_NUMBER),
    (Kind.INTEGER, Kind.STRING): (0.6, T.TO_STRING),
    (Kind.DECIMAL, Kind.STRING): (0.5, T.TO_STRING),
    (Kind.INTEGER, Kind.DATE): (0.3, T.UNIX_TO_DATE),
}
_UNMAPPABLE = frozenset({Kind.OBJECT, Kind.LIST})


def fit(source: SchemaField, target: SchemaField, *, money_name: bool) -> tuple[float, Transform]:
    """How well `source` can fill `target` and with which transform (0 = it cannot).

    `money_name`: the source's name says amount/fee/total, so a bare integer is minor units.
    """
    if source.kind in _UNMAPPABLE or target.kind in _UNMAPPABLE:
        return 0.0, T.COPY
    if source.ref and target.ref:
        link = LINKS.get((source.ref, target.ref))
        if link is not None:
            return 1.0, link
    if target.ref == STRIPE_ID and source.kind is Kind.ID:
        return 1.0, T.COPY
    if source.kind == target.kind:
        return 1.0, T.UPPER if source.kind is Kind.CURRENCY else T.COPY
    if money_name and source.kind is Kind.INTEGER and target.kind is Kind.DECIMAL:
        return 0.9, T.MINOR_TO_DECIMAL
    return _FIT.get((source.kind, target.kind), (0.1, T.COPY))


def exponent(currency: str | None) -> int:
    code = (currency or "usd").lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def minor_to_decimal(amount: int, currency: str | None) -> Decimal:
    """12500 usd → Decimal('125.00'); 12500 jpy → Decimal('12500'); 12345 kwd → '12.345'."""
    places = exponent(currency)
    return Decimal(amount).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def apply(transform: Transform, value: Any, *, currency: str | None = None) -> Any:
    """`value` as the target would hold it; links and unknown shapes pass through unchanged."""
    if value is None:
        return None
    try:
        if transform is T.MINOR_TO_DECIMAL and isinstance(value, int):
            return f"{minor_to_decimal(value, currency):f}"
        if transform in (T.UNIX_TO_DATE, T.UNIX_TO_DATETIME) and isinstance(value, int):
            moment = datetime.fromtimestamp(value, tz=UTC)
            if transform is T.UNIX_TO_DATE:
                return moment.date().isoformat()
            return moment.replace(tzinfo=None).isoformat()
        if transform is T.BOOL_TO_FLAG and isinstance(value, bool):
            return "Y" if value else "N"
        if transform is T.UPPER and isinstance(value, str):
            return value.upper()
    except (OverflowError, ValueError, OSError):
        return value
    return value
