"""arq worker: runs `process_event` jobs and the sweeper cron against Redis. The in-process
runner of embedded mode (runtime/inline.py) calls the very same `Services.run_event`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import structlog
from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import Worker
from prometheus_client import start_http_server

from stripe_p21 import metrics
from stripe_p21.ingest.sweeper import housekeeping, sweep
from stripe_p21.logging import configure_logging
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.runtime.arq_queue import PROCESS_EVENT, ArqQueue, dumps, loads
from stripe_p21.runtime.services import Services
from stripe_p21.settings import Settings

log = structlog.get_logger(__name__)


async def process_event_job(ctx: dict[str, Any], event_id: str) -> str:
    services: Services = ctx["services"]
    return await services.run_event(event_id)


async def sweep_job(ctx: dict[str, Any]) -> int:
    services: Services = ctx["services"]
    result = await sweep(services)
    ctx["sweeps"] = ctx.get("sweeps", 0) + 1
    if ctx["sweeps"] % 60 == 1:
        await housekeeping(services)
    return result.enqueued


RUNNING_ELSEWHERE_SECONDS = 1.0
"""How long a worker trusts that a job it saw running in another worker is still there."""


class QuietWorker(Worker):
    """arq's `Worker`, without re-checking jobs known to be running.

    A job id stays in the queue's sorted set until its job finishes, so every poll reads the
    ids of running jobs too, and arq checks each one in Redis again (WATCH, EXISTS, ZSCORE,
    UNWATCH): at a 20 ms poll with a few jobs in flight that is a thousand round trips a second
    per worker, for nothing. Our own running jobs are skipped outright; one seen running in
    another worker is skipped for `RUNNING_ELSEWHERE_SECONDS` (if that worker dies, its job's
    in-progress key outlives this by far)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._elsewhere: dict[bytes, float] = {}

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        now = time.monotonic()
        fresh = [
            job_id
            for job_id in job_ids
            if job_id.decode() not in self.tasks and self._elsewhere.get(job_id, 0.0) <= now
        ]
        await super().start_jobs(fresh)
        if self.job_counter >= self.max_jobs:
            return  # arq stopped early for capacity: the ids it did not reach are not running
        expires = now + RUNNING_ELSEWHERE_SECONDS
        for job_id in fresh:
            if job_id.decode() not in self.tasks:
                self._elsewhere[job_id] = expires
        if len(self._elsewhere) > 4 * self.max_jobs:
            self._elsewhere = {k: t for k, t in self._elsewhere.items() if t > now}


def build_worker(
    settings: Settings,
    *,
    burst: bool = False,
    embedded: bool = False,
    registry: HandlerRegistry | None = None,
) -> Worker:
    """An arq `Worker` wired to our settings. `burst=True` stops once the queue is empty;
    `embedded=True` (tests, tools) leaves signals and the sweeper cron to the caller."""
    if settings.queue.redis_url is None:
        raise RuntimeError("STRIPE_P21_REDIS_URL is not set: the arq worker needs Redis")
    configure_logging(
        level=settings.server.log_level,
        fmt=settings.server.log_format,
        secrets=settings.secret_values(),
    )

    async def startup(ctx: dict[str, Any]) -> None:
        queue = ArqQueue(
            ctx["redis"], circuit_seconds=settings.queue.enqueue_circuit_seconds, owned=False
        )
        jobs = settings.queue.worker_concurrency
        ctx["services"] = Services.build(settings, queue, registry, concurrent_jobs=jobs)
        if not embedded:
            await ctx["services"].warm_up(connections=jobs)
        port = settings.queue.worker_metrics_port
        if port:
            start_http_server(port, addr="127.0.0.1", registry=metrics.REGISTRY)
        log.info("worker_started", worker=ctx["services"].worker_id)

    async def shutdown(ctx: dict[str, Any]) -> None:
        services: Services | None = ctx.get("services")
        if services is not None:
            await services.engine.dispose()

    interval = max(1, int(settings.jobs.sweep_interval_seconds))
    return QuietWorker(
        functions=[func(process_event_job, name=PROCESS_EVENT, max_tries=3, keep_result=0)],
        # A burst worker drains what is queued and stops; cron ticks would keep it alive.
        cron_jobs=None
        if burst or embedded
        else [
            cron(sweep_job, name="sweep", second=set(range(0, 60, interval)), run_at_startup=True)
        ],
        redis_settings=RedisSettings.from_dsn(settings.queue.redis_url.get_secret_value()),
        queue_name=settings.queue.queue_name,
        on_startup=startup,
        on_shutdown=shutdown,
        max_jobs=settings.queue.worker_concurrency,
        job_timeout=max(300, int(settings.jobs.lease_seconds * 5)),
        keep_result=0,
        poll_delay=settings.queue.worker_poll_seconds,
        burst=burst,
        handle_signals=not (burst or embedded),
        job_serializer=dumps,
        job_deserializer=loads,
    )


async def stop_embedded(worker: Worker, running: asyncio.Task[None], *, wait: float = 30) -> None:
    """Stop an embedded worker without stranding a job.

    Cancelling `Worker.main` while it is starting a job can leave arq's in-progress key set with
    no task behind it, and the job then waits out the whole job timeout. So: stop picking jobs,
    let one full poll iteration pass (none can be starting a job after that), cancel, and give
    the jobs in flight time to finish rather than abandon their leases."""
    worker.allow_pick_jobs = False
    iterations = 0
    quiet = asyncio.Event()
    heart_beat = worker.heart_beat

    async def counted() -> None:
        nonlocal iterations
        iterations += 1
        if iterations >= 2:
            quiet.set()
        await heart_beat()

    worker.heart_beat = counted  # type: ignore[method-assign]
    deadline = time.monotonic() + wait
    waiter = asyncio.ensure_future(quiet.wait())
    await asyncio.wait([waiter, running], timeout=wait, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    if worker.tasks:
        await asyncio.wait(list(worker.tasks.values()), timeout=max(deadline - time.monotonic(), 1))
    await worker.close()
