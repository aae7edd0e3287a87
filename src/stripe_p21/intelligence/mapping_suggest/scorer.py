"""Rank source fields (with the transform each needs) for every target field. Pure and
deterministic: the same schemas, feedback and weights always give the same suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from stripe_p21.intelligence.mapping_suggest import features as ft
from stripe_p21.intelligence.mapping_suggest.lexicon import LEXICON_VERSION
from stripe_p21.intelligence.mapping_suggest.memory import FeedbackMemory
from stripe_p21.intelligence.mapping_suggest.schema import Kind, Schema
from stripe_p21.intelligence.mapping_suggest.transforms import Transform

SCORER_VERSION = f"mapping-suggest/1+lexicon.{LEXICON_VERSION}"


@dataclass(frozen=True, slots=True)
class Weights:
    """Feature weights and the suggestion threshold; chosen on the dev split (evals/mapping.py)."""

    name: float = 0.6
    description: float = 0.1
    kind: float = 0.25
    value: float = 0.1
    threshold: float = 0.65
    """A field's best candidate at or above this is suggested; below, the field stays unmapped."""
    floor: float = 0.15
    """Candidates below this are not shown at all."""
    weak_name_penalty: float = 0.5
    """Multiplier when neither name nor description supports a pair (type and shape alone)."""
    contrast: float = 2.0
    """Runners-up of a field are scaled by (score / best) ** contrast."""
    lean_boost: float = 0.15
    """How far decisions on other schema pairs move a confidence (times their -1..1 lean)."""


DEFAULT_WEIGHTS = Weights()
ACCEPTED_CONFIDENCE = 0.97
METADATA_GUESS_CONFIDENCE = 0.3
REFERENCE_EVIDENCE: dict[Transform, float] = {
    Transform.COPY: 0.9,  # the object's own id into a field that holds it (po_no)
    Transform.CUSTOMER_LINK: 0.9,
    Transform.ORDER_LINK: 0.6,  # the order may not exist yet: the sync creates it
}
"""Name evidence a declared reference gives, by the transform it needs."""


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str
    """name, description, type, value, feedback, metadata or llm."""
    score: float
    detail: str


@dataclass(frozen=True, slots=True)
class Candidate:
    source: str
    transform: Transform
    confidence: float
    reasons: tuple[Reason, ...]

    @property
    def expression(self) -> str:
        """How the config spells it: `amount`, `minor_to_decimal(amount, currency)`."""
        if self.transform is Transform.COPY:
            return self.source
        if self.transform is Transform.MINOR_TO_DECIMAL:
            return f"minor_to_decimal({self.source}, currency)"
        return f"{self.transform.value}({self.source})"


@dataclass(frozen=True, slots=True)
class FieldSuggestion:
    target: str
    target_kind: Kind
    candidates: tuple[Candidate, ...]
    suggested: Candidate | None


@dataclass(frozen=True, slots=True)
class SuggestionSet:
    source: str
    target: str
    version: str
    fields: tuple[FieldSuggestion, ...]


def _currency_sample(source: Schema) -> str | None:
    currency = source.by_name.get("currency")
    if currency is not None and currency.samples and isinstance(currency.samples[0], str):
        return currency.samples[0]
    return None


def score_pair(
    target: ft.PreparedField,
    source: ft.PreparedField,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    currency: str | None = None,
    profiles: ft.ProfileCache | None = None,
) -> Candidate | None:
    """One candidate with its reasons, or None when the kinds cannot meet at all."""
    fit, transform = ft.kind_fit(target, source)
    if fit <= 0.0:
        return None
    name = ft.name_similarity(target.concepts, source.concepts)
    reasons = [
        Reason("name", round(name, 3), f"{target.field.name} ~ {source.field.name}"),
        Reason("type", round(fit, 3), f"{source.field.kind} → {target.field.kind}: {transform}"),
    ]
    linked = ft.reference_match(target, source, transform)
    if linked is not None:
        evidence = REFERENCE_EVIDENCE.get(transform, REFERENCE_EVIDENCE[Transform.COPY])
        name = max(name, evidence)
        reasons.append(Reason("reference", evidence, linked))
    if ft.same_id_prefix(target, source):
        name = max(name, REFERENCE_EVIDENCE[Transform.COPY])
        reasons.append(Reason("reference", REFERENCE_EVIDENCE[Transform.COPY], "same id prefix"))
    parts: list[tuple[float, float]] = [(name, weights.name), (fit, weights.kind)]
    desc = ft.description_similarity(target, source)
    if desc is not None:
        parts.append((desc, weights.description))
        reasons.append(Reason("description", round(desc, 3), "description words in common"))
    value = ft.value_similarity(target, source, transform, currency, profiles)
    if value is not None:
        parts.append((value, weights.value))
        reasons.append(Reason("value", round(value, 3), "sample values look alike"))
    score = sum(s * w for s, w in parts) / sum(w for _, w in parts)
    if name < 0.2 and (desc or 0.0) < 0.2:
        score *= weights.weak_name_penalty
    return Candidate(source.field.name, transform, round(score, 4), tuple(reasons))


def _apply_memory(
    candidate: Candidate, memory: FeedbackMemory, keys: tuple[str, str, str], weights: Weights
) -> Candidate | None:
    decision = memory.decision(*keys, candidate.source)
    if decision is not None:
        if not decision.accepted:
            return None
        reason = Reason("feedback", 1.0, "accepted by a reviewer for this schema pair")
        transform = Transform(decision.transform) if decision.transform else candidate.transform
        confidence = max(candidate.confidence, ACCEPTED_CONFIDENCE)
        return replace(
            candidate,
            transform=transform,
            confidence=confidence,
            reasons=(reason, *candidate.reasons),
        )
    lean = memory.lean(*keys, candidate.source)
    if lean == 0.0:
        return candidate
    moved = min(1.0, max(0.0, candidate.confidence + weights.lean_boost * lean))
    word = "accepted" if lean > 0 else "rejected"
    reason = Reason("feedback", round(lean, 3), f"{word} for the same field in other schema pairs")
    return replace(candidate, confidence=round(moved, 4), reasons=(*candidate.reasons, reason))


def _metadata_guess(target: ft.PreparedField) -> Candidate:
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", target.field.name).lower().replace(".", "_")
    detail = "no source field carries it; a Stripe metadata key can (set it at checkout)"
    return Candidate(
        f"metadata.{key}",
        Transform.COPY,
        METADATA_GUESS_CONFIDENCE,
        (Reason("metadata", METADATA_GUESS_CONFIDENCE, detail),),
    )


def _injected(
    memory: FeedbackMemory, keys: tuple[str, str, str], seen: set[str]
) -> list[Candidate]:
    """Accepted sources the scorer did not propose itself (e.g. a metadata key a person typed)."""
    out = []
    for decision in memory.accepted_for(*keys):
        if decision.source not in seen:
            transform = Transform(decision.transform or Transform.COPY)
            reason = Reason("feedback", 1.0, "accepted by a reviewer for this schema pair")
            out.append(Candidate(decision.source, transform, ACCEPTED_CONFIDENCE, (reason,)))
    return out


def _contrast(ranked: list[Candidate], gamma: float) -> list[Candidate]:
    """Sorted best first; runners-up scaled by (score / best)^gamma so a field's clear winner
    stands out against other fields' second choices (the best keeps its confidence)."""
    ranked.sort(key=lambda c: (-c.confidence, c.source))
    if not ranked or gamma <= 0.0 or ranked[0].confidence <= 0.0:
        return ranked
    best = ranked[0].confidence
    out = [ranked[0]]
    for c in ranked[1:]:
        if any(r.kind == "feedback" for r in c.reasons):
            out.append(c)
        else:
            out.append(
                replace(c, confidence=round(c.confidence * (c.confidence / best) ** gamma, 4))
            )
    out.sort(key=lambda c: (-c.confidence, c.source))
    return out


def suggest(
    source: Schema,
    target: Schema,
    *,
    memory: FeedbackMemory | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    top_k: int | None = 3,
) -> SuggestionSet:
    """For each target field: ranked candidates (≥ `weights.floor`) and the suggestion, if any."""
    memory = memory or FeedbackMemory()
    declared = source.system != "inline"
    sources = [
        ft.prepare(f, owner=source.name, declared=declared)
        for f in source.fields
        if not ft.is_structured(f)
    ]
    has_metadata = "metadata" in source.by_name
    currency = _currency_sample(source)
    profiles: ft.ProfileCache = {}
    out = []
    for target_field in target.fields:
        prepared = ft.prepare(target_field, owner=target.name, declared=target.system != "inline")
        keys = (source.key, target.key, target_field.name)
        ranked = []
        for candidate_source in sources:
            candidate = score_pair(
                prepared, candidate_source, weights=weights, currency=currency, profiles=profiles
            )
            if candidate is not None:
                candidate = _apply_memory(candidate, memory, keys, weights)
            if candidate is not None and candidate.confidence >= weights.floor:
                ranked.append(candidate)
        ranked += _injected(memory, keys, {c.source for c in ranked})
        ranked = _contrast(ranked, weights.contrast)
        best = ranked[0] if ranked else None
        suggested = best if best is not None and best.confidence >= weights.threshold else None
        if (
            suggested is None
            and has_metadata
            and target_field.kind in (Kind.STRING, Kind.ID)
            and not any(c.source.startswith("metadata.") for c in ranked[:3])
        ):
            guess = _metadata_guess(prepared)
            ranked = [*ranked[: (top_k or len(ranked) + 1) - 1], guess]
        shown = tuple(ranked if top_k is None else ranked[:top_k])
        out.append(FieldSuggestion(target_field.name, target_field.kind, shown, suggested))
    return SuggestionSet(source.key, target.key, SCORER_VERSION, tuple(out))
