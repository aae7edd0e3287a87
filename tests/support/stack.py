"""A running stripe-p21 for tests: the app behind an ASGI test client, on SQLite with the
inline runner or on PostgreSQL with arq — the same tests drive both."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from stripe_p21.app import create_app
from stripe_p21.connectors.stripe.signature import sign
from stripe_p21.db.tables import ObjectWatermark, StripeEvent, table_of
from stripe_p21.ingest.sweeper import sweep
from stripe_p21.runtime.inline import InlineRunner
from stripe_p21.runtime.services import Services
from stripe_p21.settings import Settings
from stripe_p21.worker import build_worker, stop_embedded
from tests.support.factories import encode
from tests.support.handlers import EFFECT_PREFIX

SECRET = "whsec_test_primary_0123456789abcdef"
TERMINAL = {"processed", "ignored", "needs_review", "dead"}


@dataclass
class Stack:
    kind: str
    settings: Settings
    app: Litestar
    client: httpx.AsyncClient

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def post_event(
        self,
        event: dict[str, Any] | bytes,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = event if isinstance(event, bytes) else encode(event)
        sent = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, secret, timestamp=timestamp),
        }
        sent.update(headers or {})
        return await self.client.post("/webhooks/stripe", content=body, headers=sent)

    async def event(self, event_id: str) -> StripeEvent | None:
        async with self.services.sessions() as session:
            return await session.get(StripeEvent, event_id)

    async def count_events(self) -> int:
        async with self.services.sessions() as session:
            return int(
                (await session.execute(select(func.count()).select_from(StripeEvent))).scalar_one()
            )

    async def effects(self, event_id: str) -> int:
        column = table_of(ObjectWatermark).c.object_id
        async with self.services.sessions() as session:
            stmt = select(func.count()).where(column.like(f"{EFFECT_PREFIX}{event_id}:%"))
            return int((await session.execute(stmt)).scalar_one())

    async def run_jobs(self) -> None:
        """Inline: wait until the pool has drained. (arq jobs run in `settle`'s worker.)"""
        if isinstance(self.services.queue, InlineRunner):
            await self.services.queue.join()

    async def settle(
        self, event_id: str, *, within: float = 20.0, sweep_too: bool = True
    ) -> StripeEvent:
        """Run jobs (and the sweeper) until the event reaches a terminal status."""
        deadline = time.monotonic() + within
        worker = None
        if not isinstance(self.services.queue, InlineRunner):
            worker = build_worker(self.settings, embedded=True)
            running = asyncio.create_task(worker.main())
        try:
            while True:
                await self.run_jobs()
                event = await self.event(event_id)
                if event is not None and event.status in TERMINAL:
                    return event
                if time.monotonic() > deadline:
                    raise AssertionError(f"{event_id} stuck in {event.status if event else None}")
                if sweep_too:
                    await sweep(self.services)
                await asyncio.sleep(0.05)
        finally:
            if worker is not None:
                await stop_embedded(worker, running)


def stack_env(
    kind: str, tmp_path: Any, postgres_url: str | None, redis_url: str | None
) -> dict[str, str]:
    env = {
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_P21_LOG_LEVEL": os.environ.get("TEST_LOG_LEVEL", "WARNING"),
        "STRIPE_P21_RETRY_BASE_SECONDS": "0.05",
        "STRIPE_P21_RETRY_CAP_SECONDS": "0.2",
        "STRIPE_P21_SWEEP_GRACE_SECONDS": "0.5",
        "STRIPE_P21_SWEEP_INTERVAL_SECONDS": "1",
        "STRIPE_P21_HANDLER_MODULES": "tests.support.handlers",
    }
    if kind == "sqlite-inline":
        env["STRIPE_P21_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/stripe_p21.db"
    else:
        assert postgres_url and redis_url
        env["STRIPE_P21_DATABASE_URL"] = postgres_url
        env["STRIPE_P21_REDIS_URL"] = redis_url
        env["STRIPE_P21_QUEUE_NAME"] = f"stripe_p21:test:{time.monotonic_ns()}"
        env["STRIPE_P21_MIGRATE_ON_START"] = "false"
    return env


@asynccontextmanager
async def running_stack(
    kind: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    for key in [k for k in os.environ if k.startswith(("STRIPE_P21_", "STRIPE_", "P21_"))]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(env_file=None)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 51000))
    async with (
        _lifespan(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Stack(kind, settings, app, client)


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own (anyio scopes must exit where they began)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        yield
    finally:
        stop.set()
        await task
