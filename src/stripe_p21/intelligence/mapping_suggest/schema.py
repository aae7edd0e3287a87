"""The schemas suggestions are made between: named fields with a kind, a description and optional
sample values, read from the built-in catalogue or from JSON a user sends."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_FIELDS = 500
"""An inline schema larger than this is refused (the scorer is quadratic in field counts)."""
MAX_SAMPLES = 20


class SchemaError(ValueError):
    """Inline schema JSON we cannot use; the message says what to fix."""


class Kind(enum.StrEnum):
    """What a field holds, finer than JSON types where mapping needs it."""

    STRING = "string"
    ID = "id"
    """An opaque identifier of this object (`ch_…`, an order number)."""
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY_MINOR = "money_minor"
    """Integer minor units of a currency (Stripe amounts)."""
    TIMESTAMP = "timestamp"
    """Unix seconds (Stripe times)."""
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    FLAG = "flag"
    """P21's 'Y'/'N' flags."""
    CURRENCY = "currency"
    EMAIL = "email"
    PHONE = "phone"
    OBJECT = "object"
    LIST = "list"


_KIND_ALIASES: dict[str, Kind] = {
    "str": Kind.STRING,
    "text": Kind.STRING,
    "enum": Kind.STRING,
    "int": Kind.INTEGER,
    "number": Kind.DECIMAL,
    "float": Kind.DECIMAL,
    "numeric": Kind.DECIMAL,
    "money": Kind.DECIMAL,
    "bool": Kind.BOOLEAN,
    "date-time": Kind.DATETIME,
    "array": Kind.LIST,
    "dict": Kind.OBJECT,
    "unix": Kind.TIMESTAMP,
}


@dataclass(frozen=True, slots=True)
class SchemaField:
    """One field. `ref` names the business object an id points at (`customer`, `order`…)."""

    name: str
    kind: Kind
    description: str = ""
    samples: tuple[Any, ...] = ()
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Schema:
    """A named set of fields; `system` is `stripe`, `p21` or `inline`."""

    name: str
    system: str
    fields: tuple[SchemaField, ...]
    description: str = ""
    by_name: dict[str, SchemaField] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    @property
    def key(self) -> str:
        """How feedback and exports refer to this schema: `stripe.Charge`, `inline.MyOrders`."""
        return f"{self.system}.{self.name}"


def parse_kind(raw: object, *, fmt: object = None) -> Kind:
    """A `Kind` from a JSON type name (and JSON Schema `format`); unknown names raise."""
    if isinstance(raw, list):  # JSON Schema ["string", "null"]
        raw = next((item for item in raw if item != "null"), "string")
    if not isinstance(raw, str):
        raise SchemaError(f"type must be a string, got {raw!r}")
    name = str(fmt) if fmt in {"date", "date-time", "email"} else raw.strip().lower()
    if name in _KIND_ALIASES:
        return _KIND_ALIASES[name]
    try:
        return Kind(name)
    except ValueError:
        known = ", ".join(sorted({*Kind, *_KIND_ALIASES}))
        raise SchemaError(f"unknown type {raw!r}; use one of: {known}") from None


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")


def _field_from(name: object, spec: Mapping[str, Any]) -> list[SchemaField]:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"field name {name!r} must be 1-128 letters, digits, _ . -")
    kind = parse_kind(spec.get("type", "string"), fmt=spec.get("format"))
    raw_samples = spec.get("samples", spec.get("examples", ()))
    if not isinstance(raw_samples, list | tuple):
        raise SchemaError(f"samples of {name} must be a list")
    samples = tuple(raw_samples[:MAX_SAMPLES])
    description = spec.get("description") or ""
    if not isinstance(description, str):
        raise SchemaError(f"description of {name} must be a string")
    nested = spec.get("properties")
    if kind is Kind.OBJECT and isinstance(nested, Mapping):
        return [
            SchemaField(f"{name}.{child.name}", child.kind, child.description, child.samples)
            for child in _fields_from_properties(nested)
        ]
    fields = [SchemaField(name, kind, description[:500], samples, _ref(spec.get("ref")))]
    if kind is Kind.OBJECT:
        fields += _keys_from_samples(name, samples)
    return fields


def _ref(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw else None


def _keys_from_samples(name: str, samples: Sequence[Any]) -> list[SchemaField]:
    """`metadata` with sample dicts becomes one `metadata.<key>` field per key seen."""
    seen: dict[str, list[Any]] = {}
    for sample in samples:
        if isinstance(sample, Mapping):
            for key, value in sample.items():
                seen.setdefault(str(key), []).append(value)
    return [
        SchemaField(f"{name}.{key}", Kind.STRING, f"{name} key {key}", tuple(values))
        for key, values in seen.items()
        if _NAME.match(key)
    ]


def _fields_from_properties(properties: Mapping[str, Any]) -> list[SchemaField]:
    fields: list[SchemaField] = []
    for name, spec in properties.items():
        if not isinstance(spec, Mapping):
            raise SchemaError(f"property {name!r} must be an object with a type")
        fields += _field_from(name, spec)
    return fields


def parse_inline_schema(data: object) -> Schema:
    """A schema from JSON: `{"name", "fields": [{"name","type","description","samples"}]}` or a
    JSON Schema object (`{"title", "properties": {...}}`, nested objects flattened with dots)."""
    if not isinstance(data, Mapping):
        raise SchemaError("a schema is a catalogue name or a JSON object with fields")
    name = data.get("name") or data.get("title") or "inline"
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"schema name {name!r} must be 1-128 letters, digits, _ . -")
    if isinstance(data.get("properties"), Mapping):
        fields = _fields_from_properties(data["properties"])
    elif isinstance(data.get("fields"), list):
        fields = []
        for spec in data["fields"]:
            if not isinstance(spec, Mapping) or "name" not in spec:
                raise SchemaError("every entry of fields needs a name")
            fields += _field_from(spec["name"], spec)
    else:
        raise SchemaError("a schema needs `fields` (a list) or `properties` (an object)")
    if not fields:
        raise SchemaError(f"schema {name} has no fields")
    if len(fields) > MAX_FIELDS:
        raise SchemaError(f"schema {name} has {len(fields)} fields; at most {MAX_FIELDS}")
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise SchemaError(f"schema {name} names a field twice")
    description = data.get("description") if isinstance(data.get("description"), str) else ""
    return Schema(name=name, system="inline", fields=tuple(fields), description=description or "")
