"""The evidence for one (target field, source field) pair, each a pure function returning 0..1:
name similarity through the lexicon, description overlap, kind fit, value-profile likeness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from stripe_p21.intelligence.mapping_suggest import lexicon
from stripe_p21.intelligence.mapping_suggest.profile import ValueProfile, profile_of, similarity
from stripe_p21.intelligence.mapping_suggest.schema import Kind, SchemaField
from stripe_p21.intelligence.mapping_suggest.transforms import STRIPE_ID, Transform, apply, fit

PARENT_WEIGHT = 0.5
METADATA_WEIGHT = 0.1
OWNER_WEIGHT = 0.5
GENERIC_ONLY = 0.4
"""Name similarity is scaled by this when the names share only generic words (id, number)."""
_DESC_STOP = lexicon.STOPWORDS | {"at", "on", "when", "time", "date", "day", "number", "id"}
_MONEY = frozenset({"amount", "fee", "net", "price", "balance"})


@dataclass(frozen=True, slots=True)
class PreparedField:
    """A field with its name concepts (weighted), description concepts and value profile."""

    field: SchemaField
    concepts: dict[str, float]
    description: frozenset[str]
    profile: ValueProfile | None
    ref: str | None
    money: bool
    words: frozenset[str]
    """Description and name concepts together."""


def name_concepts(name: str) -> dict[str, float]:
    """Concept → weight; the last path segment counts fully, parents half, `metadata` little."""
    segments = name.split(".")
    found: dict[str, float] = {}
    for index, segment in enumerate(segments):
        is_leaf = index == len(segments) - 1
        scale = 1.0 if is_leaf else METADATA_WEIGHT if segment == "metadata" else PARENT_WEIGHT
        for concept in lexicon.concepts(segment):
            found[concept] = max(found.get(concept, 0.0), scale * lexicon.weight(concept))
    return found


def description_concepts(text: str) -> frozenset[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]+", text)
    found = {lexicon.concept_of(w.lower()) for w in words if w.lower() not in _DESC_STOP}
    return frozenset(c for c in found if c and c not in _DESC_STOP and len(c) > 2)


def infer_ref(field: SchemaField, concepts: dict[str, float], *, declared: bool) -> str | None:
    """A declared ref, or (for inline schemas) one read from the name: `cust_no` / `CustomerId`
    point at a customer, `OrigOrder` at an order, a PO number holds the Stripe id."""
    if field.ref or declared:
        return field.ref
    keys = set(concepts)
    if "customer" in keys and keys <= {"customer", "number", "reference"}:
        return "customer"
    if "order" in keys and keys <= {"order", "number", "reference", "original"}:
        return "order"
    if "purchaseorder" in keys:  # this integration keeps the Stripe id in the PO number
        return STRIPE_ID
    return None


def prepare(field: SchemaField, *, owner: str = "", declared: bool = False) -> PreparedField:
    """Precompute a field's evidence (`declared`: the catalogue states refs, infer none); a bare
    generic name (`id`, `number`) on a top-level field
    borrows its object's name: `number` on Invoice is the invoice number."""
    concepts = name_concepts(field.name)
    if owner and "." not in field.name and all(c in lexicon.GENERIC for c in concepts):
        for concept in lexicon.concepts(owner):
            concepts.setdefault(concept, OWNER_WEIGHT)
    description = description_concepts(field.description)
    return PreparedField(
        field=field,
        concepts=concepts,
        description=description,
        words=description | frozenset(concepts),
        profile=profile_of(field.samples),
        ref=infer_ref(field, concepts, declared=declared),
        money=bool(_MONEY & set(concepts)),
    )


@lru_cache(maxsize=65536)
def _concept_sim(a: str, b: str) -> float:
    related = lexicon.relatedness(a, b)
    if related or min(len(a), len(b)) < 4:
        return related
    ratio = fuzz.ratio(a, b) / 100.0
    return 0.9 * ratio if ratio >= 0.85 else 0.0


def name_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Soft weighted Dice of two concept sets, blended with a character-level ratio."""
    if not a or not b:
        return 0.0
    total = sum(a.values()) + sum(b.values())
    best_a = {c: max(_concept_sim(c, d) for d in b) for c in a}
    best_b = {d: max(_concept_sim(d, c) for c in a) for d in b}
    matched = sum(a[c] * s for c, s in best_a.items()) + sum(b[d] * s for d, s in best_b.items())
    chars = fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100.0
    score = 0.85 * (matched / total) + 0.15 * chars
    if not any(s > 0 and c not in lexicon.GENERIC for c, s in best_a.items()):
        score *= GENERIC_ONLY  # `company_no` ~ `id` share nothing but "number"
    return score


def description_similarity(target: PreparedField, source: PreparedField) -> float | None:
    """Dice overlap of description concepts, with each side's name concepts counted in."""
    if not target.description and not source.description:
        return None
    left, right = target.words, source.words
    return 2 * len(left & right) / (len(left) + len(right))


def kind_fit(target: PreparedField, source: PreparedField) -> tuple[float, Transform]:
    src = source.field
    if source.ref != src.ref:
        src = SchemaField(src.name, src.kind, src.description, src.samples, source.ref)
    tgt = target.field
    if target.ref != tgt.ref:
        tgt = SchemaField(tgt.name, tgt.kind, tgt.description, tgt.samples, target.ref)
    return fit(src, tgt, money_name=source.money)


_LINKS = frozenset({Transform.CUSTOMER_LINK, Transform.ORDER_LINK})


ProfileCache = dict[tuple[str, Transform], ValueProfile | None]


def value_similarity(
    target: PreparedField,
    source: PreparedField,
    transform: Transform,
    currency: str | None,
    cache: ProfileCache | None = None,
) -> float | None:
    """Likeness of the target's samples and the source's samples after `transform`."""
    if target.profile is None or not source.field.samples or transform in _LINKS:
        return None
    key = (source.field.name, transform)
    if cache is not None and key in cache:
        moved = cache[key]
    else:
        moved = profile_of(apply(transform, v, currency=currency) for v in source.field.samples)
        if cache is not None:
            cache[key] = moved
    if moved is None:
        return None
    return similarity(moved, target.profile)


def reference_match(
    target: PreparedField, source: PreparedField, transform: Transform
) -> str | None:
    """Why a declared reference ties the pair, if one does."""
    if transform in _LINKS:
        return f"{source.ref} id is looked up through the {transform} table"
    if target.ref == STRIPE_ID and source.field.name == "id":
        return "target holds the Stripe object's own id (idempotency key)"
    return None


def same_id_prefix(target: PreparedField, source: PreparedField) -> bool:
    """Both sides' samples are ids with one Stripe prefix (`ch_…`): the same kind of object."""
    if target.profile is None or source.profile is None:
        return False
    return bool(target.profile.prefixes & source.profile.prefixes)


def is_structured(field: SchemaField) -> bool:
    return field.kind in (Kind.OBJECT, Kind.LIST)
