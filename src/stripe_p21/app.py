"""Litestar app factory: wiring only — settings, services, routes, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import structlog
from litestar import Litestar
from litestar.openapi import OpenAPIConfig

from stripe_p21 import __version__
from stripe_p21.api.events import EventController
from stripe_p21.api.ops import healthz, metrics_endpoint, readyz
from stripe_p21.api.reconciliation import ReconciliationController
from stripe_p21.api.review_items import ReviewItemController
from stripe_p21.db.migrate import upgrade
from stripe_p21.ingest.sweeper import housekeeping, sweep
from stripe_p21.ingest.webhook import receive_stripe_webhook
from stripe_p21.intelligence.mapping_suggest.controller import MappingController
from stripe_p21.intelligence.matching.api import CustomerMatchController
from stripe_p21.logging import configure_logging
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.runtime.arq_queue import ArqQueue, connect
from stripe_p21.runtime.inline import InlineRunner
from stripe_p21.runtime.queue import JobQueue
from stripe_p21.runtime.services import Services
from stripe_p21.settings import Settings, get_settings

log = structlog.get_logger(__name__)


def build_queue(settings: Settings) -> JobQueue:
    """arq when Redis is configured, else the in-process runner (embedded mode)."""
    if settings.queue.redis_url is not None:
        redis = connect(settings.queue.redis_url.get_secret_value(), settings.queue.queue_name)
        return ArqQueue(redis, circuit_seconds=settings.queue.enqueue_circuit_seconds)
    return InlineRunner(settings.queue.inline_concurrency)


async def _sweep_forever(services: Services) -> None:
    interval = services.settings.jobs.sweep_interval_seconds
    passes = 0
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep(services)
            passes += 1
            if passes % 60 == 1:
                await housekeeping(services)
        except Exception as exc:  # noqa: BLE001 - the next pass tries again
            log.warning("sweep_failed", error=type(exc).__name__)


def _lifespan(
    services: Services,
) -> Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        settings = services.settings
        migrate = settings.db.migrate_on_start
        if migrate or (migrate is None and settings.db.is_sqlite):
            await asyncio.to_thread(upgrade, settings.db.database_url)
        sweeper: asyncio.Task[None] | None = None
        warming: asyncio.Task[None] | None = None
        if isinstance(services.queue, InlineRunner):
            services.queue.start(services.run_event)
            sweeper = asyncio.create_task(_sweep_forever(services))
            warming = asyncio.create_task(services.warm_up())  # in the background
        log.info("service_started", mode="embedded" if sweeper else "arq", version=__version__)
        try:
            yield
        finally:
            if warming is not None and not warming.done():
                warming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warming
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await services.close()

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    queue: JobQueue | None = None,
    registry: HandlerRegistry | None = None,
) -> Litestar:
    """The ASGI app. Tests pass their own settings, queue and handler registry."""
    settings = settings or get_settings()
    configure_logging(
        level=settings.server.log_level,
        fmt=settings.server.log_format,
        secrets=settings.secret_values(),
    )
    services = Services.build(settings, queue or build_queue(settings), registry)
    app = Litestar(
        route_handlers=[
            receive_stripe_webhook,
            healthz,
            readyz,
            metrics_endpoint,
            EventController,
            ReviewItemController,
            CustomerMatchController,
            MappingController,
            ReconciliationController,
        ],
        lifespan=[_lifespan(services)],
        openapi_config=OpenAPIConfig(title="stripe-p21", version=__version__, path="/schema"),
        debug=False,
        logging_config=None,
    )
    app.state.services = services
    return app
