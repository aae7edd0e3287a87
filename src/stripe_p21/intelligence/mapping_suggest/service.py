"""Suggestions as the API serves them: resolve the schemas, consult reviewer memory, score,
and re-rank through the LLM only when asked and configured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.intelligence.llm import LLMGateway
from stripe_p21.intelligence.mapping_suggest import feedback
from stripe_p21.intelligence.mapping_suggest.catalogue import resolve
from stripe_p21.intelligence.mapping_suggest.rerank import rerank
from stripe_p21.intelligence.mapping_suggest.schema import Schema
from stripe_p21.intelligence.mapping_suggest.scorer import DEFAULT_WEIGHTS, SuggestionSet, suggest
from stripe_p21.settings import LLMSettings

GatewayFactory = Callable[[LLMSettings], LLMGateway]


@dataclass(frozen=True, slots=True)
class SuggestOutcome:
    source: Schema
    target: Schema
    result: SuggestionSet
    reranked: bool
    rerank_note: str | None
    """Why no re-rank happened when one was asked for (off, timeout, bad answer)."""


async def suggest_mappings(
    sessions: async_sessionmaker[AsyncSession],
    llm: LLMSettings,
    *,
    source_spec: object,
    target_spec: object,
    top_k: int = 3,
    rerank_asked: bool | None = None,
    gateway_factory: GatewayFactory = LLMGateway,
) -> SuggestOutcome:
    """`SchemaError` (a ValueError) when a schema cannot be resolved."""
    source, target = resolve(source_spec), resolve(target_spec)
    memory = await feedback.load_memory(sessions)
    result = suggest(source, target, memory=memory, top_k=top_k)
    wanted = llm.rerank_mappings if rerank_asked is None else rerank_asked
    if not wanted:
        return SuggestOutcome(source, target, result, False, None)
    if not llm.configured:
        return SuggestOutcome(source, target, result, False, "no LLM endpoint is configured")
    async with gateway_factory(llm) as gateway:
        ranked, note = await rerank(
            result, source, target, gateway, threshold=DEFAULT_WEIGHTS.threshold
        )
    return SuggestOutcome(source, target, ranked, note is None, note)
