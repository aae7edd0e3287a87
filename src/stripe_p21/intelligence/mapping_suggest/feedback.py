"""Storing reviewer decisions and reading them back as the scorer's memory; accepted ones
become a `config/mapping.yaml` fragment."""

from __future__ import annotations

from collections.abc import Sequence

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.types import utcnow
from stripe_p21.intelligence.mapping_suggest.memory import Decision, FeedbackMemory
from stripe_p21.intelligence.mapping_suggest.tables import MappingFeedback

MEMORY_ROWS = 20_000
"""Most recent decisions the scorer consults (the table is small; this bounds a request)."""


async def record_decision(
    sessions: async_sessionmaker[AsyncSession],
    *,
    source_schema: str,
    target_schema: str,
    target_field: str,
    source: str,
    transform: str | None,
    accepted: bool,
    note: str | None = None,
    decided_by: str | None = None,
    scorer_version: str | None = None,
) -> MappingFeedback:
    row = MappingFeedback(
        source_schema=source_schema,
        target_schema=target_schema,
        target_field=target_field,
        source=source,
        transform=transform,
        accepted=accepted,
        note=note,
        decided_by=decided_by,
        scorer_version=scorer_version,
        created_at=utcnow(),
    )
    async with sessions() as session:
        session.add(row)
        await session.commit()
        await session.refresh(row)
    return row


def _decision(row: MappingFeedback) -> Decision:
    return Decision(
        row.source_schema,
        row.target_schema,
        row.target_field,
        row.source,
        row.transform,
        row.accepted,
        row.created_at,
    )


async def load_decisions(sessions: async_sessionmaker[AsyncSession]) -> list[Decision]:
    """The most recent decisions, oldest first (so later ones win in the memory)."""
    stmt = (
        select(MappingFeedback)
        .order_by(MappingFeedback.id.desc())  # type: ignore[union-attr]
        .limit(MEMORY_ROWS)
    )
    async with sessions() as session:
        rows = list((await session.execute(stmt)).scalars())
    return [_decision(row) for row in reversed(rows)]


async def load_memory(sessions: async_sessionmaker[AsyncSession]) -> FeedbackMemory:
    return FeedbackMemory.of(await load_decisions(sessions))


def accepted_mappings(
    decisions: Sequence[Decision], source_schema: str, target_schema: str
) -> dict[str, Decision]:
    """Target field → the latest accepted mapping still standing (a later reject withdraws it)."""
    memory = FeedbackMemory.of(
        d for d in decisions if (d.source_schema, d.target_schema) == (source_schema, target_schema)
    )
    latest: dict[str, Decision] = {}
    for decision in sorted(memory.exact.values(), key=lambda d: d.at):
        if decision.accepted:
            latest[decision.target_field] = decision
        elif latest.get(decision.target_field, decision).source == decision.source:
            latest.pop(decision.target_field, None)
    return dict(sorted(latest.items()))


def export_yaml(source_schema: str, target_schema: str, accepted: dict[str, Decision]) -> str:
    """A fragment to paste under `mappings:` in config/mapping.yaml."""
    fields = {
        target: {"from": d.source, "transform": d.transform or "copy"}
        for target, d in accepted.items()
    }
    document = {"mappings": [{"source": source_schema, "target": target_schema, "fields": fields}]}
    header = (
        f"# config/mapping.yaml fragment: accepted suggestions {source_schema} -> {target_schema}\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
