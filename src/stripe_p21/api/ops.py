"""`/healthz` (alive), `/readyz` (database, Redis, migrations) and `/metrics` (Prometheus)."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from stripe_p21 import metrics
from stripe_p21.db.migrate import is_current
from stripe_p21.db.tables import EventStatus, StripeEvent, table_of, utcnow
from stripe_p21.runtime.services import Services

_EVENTS = table_of(StripeEvent)
_C = _EVENTS.c


@get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", summary="Database reachable, Redis reachable when configured, migrations current")
async def readyz(request: Request[Any, Any, State]) -> Response[dict[str, Any]]:
    services: Services = request.app.state.services
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(3):
            async with services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            checks["migrations"] = "ok" if await is_current(services.engine) else "pending"
    except Exception as exc:  # noqa: BLE001 - any failure is "not ready"
        checks["database"] = f"unavailable ({type(exc).__name__})"
    if services.settings.queue.redis_url is not None:
        checks["redis"] = "ok" if await services.queue.ping() else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return Response({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


async def _refresh_gauges(services: Services) -> None:
    now = utcnow()
    async with services.sessions() as session:
        counts: dict[str, int] = dict(
            (await session.execute(select(_C.status, func.count()).group_by(_C.status))).all()
        )
        due = (
            await session.execute(
                select(func.count()).where(
                    _C.status == EventStatus.FAILED.value, _C.next_attempt_at <= now
                )
            )
        ).scalar_one()
    for status in EventStatus:
        metrics.EVENTS_BY_STATUS.labels(status.value).set(counts.get(status.value, 0))
    metrics.DUE_RETRIES.set(due)
    metrics.DEAD_EVENTS.set(counts.get(EventStatus.DEAD.value, 0))


@get("/metrics", summary="Prometheus metrics", media_type=CONTENT_TYPE_LATEST)
async def metrics_endpoint(request: Request[Any, Any, State]) -> Response[bytes]:
    try:
        await _refresh_gauges(request.app.state.services)
    except Exception:  # noqa: BLE001 - metrics must render even when the database is down
        metrics.EVENTS_BY_STATUS.clear()
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
