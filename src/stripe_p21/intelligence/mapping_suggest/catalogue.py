"""The built-in catalogue: look a schema up by `stripe.Charge`, `p21.oe_hdr` or a bare name,
case-insensitively; or read inline JSON when the caller sends a schema instead of a name."""

from __future__ import annotations

from stripe_p21.intelligence.mapping_suggest.catalogue_p21 import P21_SCHEMAS
from stripe_p21.intelligence.mapping_suggest.catalogue_stripe import STRIPE_SCHEMAS
from stripe_p21.intelligence.mapping_suggest.schema import Schema, SchemaError, parse_inline_schema

SCHEMAS: dict[str, Schema] = {schema.key: schema for schema in (*STRIPE_SCHEMAS, *P21_SCHEMAS)}

_ALIASES: dict[str, str] = {}
for _key, _schema in SCHEMAS.items():
    _ALIASES[_key.lower()] = _key
    _ALIASES.setdefault(_schema.name.lower(), _key)
_ALIASES |= {
    "stripe.balance_transaction": "stripe.BalanceTransaction",
    "stripe.payment_intent": "stripe.PaymentIntent",
    "p21.order": "p21.oe_hdr",
    "p21.order_header": "p21.oe_hdr",
    "p21.order_lines": "p21.oe_line",
    "p21.gl": "p21.gl_line",
}


def catalogue_names() -> list[str]:
    """Every catalogue key, Stripe first."""
    return list(SCHEMAS)


def lookup(name: str) -> Schema:
    """A catalogue schema by key or bare name; `SchemaError` lists the names when unknown."""
    key = _ALIASES.get(name.strip().lower())
    if key is None:
        raise SchemaError(f"no schema {name!r} in the catalogue; known: {', '.join(SCHEMAS)}")
    return SCHEMAS[key]


def resolve(spec: object) -> Schema:
    """A schema from a catalogue name (str) or inline JSON (object)."""
    if isinstance(spec, str):
        return lookup(spec)
    return parse_inline_schema(spec)
