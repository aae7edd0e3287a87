"""Optional LLM re-rank of suggestions: the model may only re-order (or drop) candidates the
scorer proposed, never invent one. Rendering and applying are pure; only `rerank` calls out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from stripe_p21.intelligence.llm import LLMGateway, LLMUnavailable, Prompt, load_prompt
from stripe_p21.intelligence.mapping_suggest.schema import Schema
from stripe_p21.intelligence.mapping_suggest.scorer import (
    Candidate,
    FieldSuggestion,
    Reason,
    SuggestionSet,
)

PROMPT_NAME, PROMPT_VERSION = "mapping_rerank", "v1"
SYSTEM = "You are a careful ERP integration analyst. Answer with JSON only."


def prompt() -> Prompt:
    return load_prompt(PROMPT_NAME, PROMPT_VERSION)


def render_rerank_prompt(result: SuggestionSet, source: Schema, target: Schema) -> str:
    """The user message: each target field (name, kind, description) with its candidates."""
    fields = []
    for suggestion in result.fields:
        if len(suggestion.candidates) < 2:
            continue
        spec = target.by_name.get(suggestion.target)
        fields.append(
            {
                "target": suggestion.target,
                "kind": suggestion.target_kind.value,
                "description": spec.description if spec else "",
                "candidates": [
                    {
                        "id": c.source,
                        "transform": c.transform.value,
                        "description": _describe(source, c.source),
                        "score": c.confidence,
                    }
                    for c in suggestion.candidates
                ],
            }
        )
    return prompt().render(
        source=f"{source.key} — {source.description}".strip(" —"),
        target=f"{target.key} — {target.description}".strip(" —"),
        fields=json.dumps(fields, indent=1, ensure_ascii=False),
    )


def _describe(schema: Schema, name: str) -> str:
    spec = schema.by_name.get(name)
    return spec.description if spec else ""


def apply_rerank(
    result: SuggestionSet, order: Mapping[str, object], *, threshold: float
) -> SuggestionSet:
    """Candidates in the model's order (unknown ids ignored, unnamed ones kept after)."""
    fields = []
    for suggestion in result.fields:
        wanted = order.get(suggestion.target)
        if not isinstance(wanted, list) or len(suggestion.candidates) < 2:
            fields.append(suggestion)
            continue
        by_source = {c.source: c for c in suggestion.candidates}
        picked = [
            by_source[s] for s in dict.fromkeys(wanted) if isinstance(s, str) and s in by_source
        ]
        rest = [c for c in suggestion.candidates if c not in picked]
        ranked = [_mark(c, rank) for rank, c in enumerate(picked, start=1)] + rest
        best = ranked[0] if ranked else None
        suggested = best if best is not None and best.confidence >= threshold else None
        fields.append(
            FieldSuggestion(suggestion.target, suggestion.target_kind, tuple(ranked), suggested)
        )
    return replace(
        result, fields=tuple(fields), version=f"{result.version}+{PROMPT_NAME}.{PROMPT_VERSION}"
    )


def _mark(candidate: Candidate, rank: int) -> Candidate:
    reason = Reason(
        "llm", float(rank), f"ranked {rank} by the LLM ({PROMPT_NAME}.{PROMPT_VERSION})"
    )
    return replace(candidate, reasons=(*candidate.reasons, reason))


async def rerank(
    result: SuggestionSet,
    source: Schema,
    target: Schema,
    gateway: LLMGateway,
    *,
    threshold: float,
) -> tuple[SuggestionSet, str | None]:
    """The re-ranked set, or the deterministic one and why the model could not help."""
    try:
        answer = await gateway.complete_json(
            prompt(), system=SYSTEM, user=render_rerank_prompt(result, source, target)
        )
    except LLMUnavailable as exc:
        return result, str(exc)
    order = answer.get("fields")
    if not isinstance(order, dict):
        return result, "the LLM answer had no `fields` object"
    return apply_rerank(result, order, threshold=threshold), None
