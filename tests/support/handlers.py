"""Test handlers registered on the default registry under `test.*` types. Their behaviour is
steered by the event's own `data.object`, so a worker subprocess behaves exactly the same."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import ObjectWatermark, utcnow
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError, TransientError
from stripe_p21.pipeline.registry import handles

EFFECT_PREFIX = "effect:"


@handles("test.effect")
async def record_effect(ctx: HandlerContext) -> str | None:
    """Optionally sleep or fail on chosen attempts, then record one effect row per completion."""
    spec = ctx.object
    if spec.get("sleep_on_attempt") == ctx.event.attempts:
        await asyncio.sleep(float(spec.get("sleep", 60)))
    broken = spec.get("fail_while_marker")
    if broken and await _marker_exists(ctx, str(broken)):
        raise TransientError(f"still broken: marker {broken} is set")
    if ctx.event.attempts <= int(spec.get("fail_until_attempt", 0)):
        kind = spec.get("fail_kind", "transient")
        if kind == "permanent":
            raise PermanentError("the ERP refused the document: customer is on credit hold")
        if kind == "crash":
            raise KeyError("unexpected bug")
        raise TransientError(str(spec.get("fail_message", "P21 answered 503 Service Unavailable")))
    async with ctx.sessions() as session, session.begin():
        session.add(
            ObjectWatermark(
                object_id=f"{EFFECT_PREFIX}{ctx.event.id}:{uuid.uuid4().hex}",
                object_type="test_effect",
                event_created=ctx.created,
                event_id=ctx.event.id,
                updated_at=utcnow(),
            )
        )
    ctx.log.info("test_effect_recorded")
    return None


MARKER_PREFIX = "marker:"


async def _marker_exists(ctx: HandlerContext, name: str) -> bool:
    async with ctx.sessions() as session:
        return await session.get(ObjectWatermark, f"{MARKER_PREFIX}{name}") is not None


async def set_marker(sessions: async_sessionmaker[AsyncSession], name: str, on: bool) -> None:
    """Switch a named fault on or off (a stand-in for 'the bug was fixed and deployed')."""
    async with sessions() as session, session.begin():
        row = await session.get(ObjectWatermark, f"{MARKER_PREFIX}{name}")
        if on and row is None:
            session.add(
                ObjectWatermark(
                    object_id=f"{MARKER_PREFIX}{name}",
                    object_type="test_marker",
                    event_created=utcnow(),
                    event_id="-",
                    updated_at=utcnow(),
                )
            )
        elif not on and row is not None:
            await session.delete(row)
