"""Long-lived services of one process (engine, sessions, queue), built once at start-up and
shared by the web app, the worker and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from stripe_p21 import metrics
from stripe_p21.db.engine import create_engine, session_factory
from stripe_p21.ingest.remote import Network, parse_networks
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.jobs import JobDeps, process_event
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.pipeline.registry import registry as default_registry
from stripe_p21.pipeline.retry import RetryPolicy
from stripe_p21.runtime.queue import JobQueue
from stripe_p21.settings import Settings

log = structlog.get_logger(__name__)
HEARTBEAT_CONNECTIONS = 4
"""Connections a worker keeps beyond one per concurrent job (lease renewals run beside jobs)."""


def worker_identity() -> str:
    """host:pid:random — unique per process, readable in the attempts table."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def load_handlers(modules: list[str]) -> None:
    """Import the bundled handlers and any extra modules named in the settings."""
    importlib.import_module("stripe_p21.pipeline.handlers")
    for module in modules:
        importlib.import_module(module)


def retry_policy(settings: Settings) -> RetryPolicy:
    jobs = settings.jobs
    return RetryPolicy(jobs.max_attempts, jobs.retry_base_seconds, jobs.retry_cap_seconds)


def matcher_factory(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> Callable[[Gateways], Any]:
    """The customer flow's fuzzy-matching hook, built on first use from the P21 gateway."""

    def build(gateways: Gateways) -> Any:
        from stripe_p21.intelligence.matching.hook import build_matcher

        return build_matcher(settings, sessions, gateways.p21)

    return build


@dataclass(slots=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: JobQueue
    registry: HandlerRegistry = field(default_factory=lambda: default_registry)
    worker_id: str = field(default_factory=worker_identity)
    webhook_secrets: list[str] = field(default_factory=list)
    trusted_proxies: list[Network] = field(default_factory=list)
    gateways: Gateways | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        queue: JobQueue,
        registry: HandlerRegistry | None = None,
        *,
        concurrent_jobs: int = 0,
    ) -> Services:
        """`concurrent_jobs`: jobs this process runs at once (an arq worker's `max_jobs`); its
        database pool holds at least that many connections plus some for lease heartbeats."""
        pool = concurrent_jobs + HEARTBEAT_CONNECTIONS if concurrent_jobs else 0
        engine = create_engine(settings.db, pool_at_least=pool)
        sessions = session_factory(engine)
        load_handlers(settings.jobs.handler_modules)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            queue=queue,
            registry=registry or default_registry,
            webhook_secrets=settings.webhook.secrets(),
            trusted_proxies=parse_networks(settings.webhook.trusted_proxies),
            gateways=Gateways(
                settings,
                mapping=load_mapping(settings.sync.mapping_file),
                matcher_factory=matcher_factory(settings, sessions),
            ),
        )

    def job_deps(self) -> JobDeps:
        return JobDeps(
            sessions=self.sessions,
            settings=self.settings,
            registry=self.registry,
            queue=self.queue,
            worker_id=self.worker_id,
            policy=retry_policy(self.settings),
            gateways=self.gateways,
        )

    async def run_event(self, event_id: str) -> str:
        return await process_event(self.job_deps(), event_id)

    async def enqueue_quietly(self, event_id: str, attempt: int = 0) -> bool:
        """Enqueue; on failure log and count it — the event is stored and the sweeper will come."""
        try:
            return await self.queue.enqueue(event_id, attempt=attempt)
        except Exception as exc:  # noqa: BLE001 - never fail the caller: state is already durable
            metrics.ENQUEUE_FAILURES.inc()
            log.warning("enqueue_failed", event_id=event_id, error=type(exc).__name__)
            return False

    async def warm_up(self, *, within: float = 60.0, connections: int = 0) -> None:
        """Get ready before the first event: open `connections` database connections, load
        the matching model, build its customer index from P21 and score one made-up customer
        (the first score loads scikit-learn's lazy paths). Otherwise the first events of each
        process pay for all of it, and a burst right after a deploy queues behind them.
        Best effort: P21 being down only postpones the index to the first match."""
        try:
            await asyncio.wait_for(self._open_connections(connections), within)
        except Exception as exc:  # noqa: BLE001 - a cold start is slower, never broken
            log.warning("warm_up_connections_failed", error=type(exc).__name__)
        if self.gateways is None or not self.settings.p21.username:
            return
        try:
            matcher = await asyncio.to_thread(
                lambda: self.gateways.matcher if self.gateways else None
            )
            if matcher is not None:
                await asyncio.wait_for(matcher.refresh(), within)
                await matcher.warm()
        except Exception as exc:  # noqa: BLE001 - a cold start is slower, never broken
            log.warning("warm_up_failed", error=type(exc).__name__)

    async def _open_connections(self, count: int) -> None:
        """Check `count` connections out at once and return them to the pool."""
        if count <= 0 or self.engine.dialect.name == "sqlite":
            return
        async with contextlib.AsyncExitStack() as stack:
            opened = [stack.enter_async_context(self.engine.connect()) for _ in range(count)]
            for connection in await asyncio.gather(*opened):
                await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self.gateways is not None:
            await self.gateways.aclose()
        await self.queue.close()
        await self.engine.dispose()
