"""In-process job runner for embedded mode: a bounded pool of tasks running `process_event`,
plus a timer that runs the sweeper. Same code path as the arq worker, no Redis needed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from stripe_p21.db.tables import utcnow

log = structlog.get_logger(__name__)


class InlineRunner:
    """A `JobQueue` that runs jobs in this process with at most `concurrency` at a time."""

    def __init__(self, concurrency: int = 4) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._pending: set[str] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._concurrency = concurrency
        self._workers: list[asyncio.Task[None]] = []
        self._run: Callable[[str], Awaitable[object]] | None = None

    def start(self, run: Callable[[str], Awaitable[object]]) -> None:
        """Start the workers; `run(event_id)` is awaited for each job."""
        self._run = run
        self._workers = [asyncio.create_task(self._work()) for _ in range(self._concurrency)]

    async def enqueue(
        self, event_id: str, *, attempt: int = 0, defer_until: datetime | None = None
    ) -> bool:
        delay = (defer_until - utcnow()).total_seconds() if defer_until else 0.0
        if delay > 0:
            loop = asyncio.get_running_loop()
            now = loop.time()
            self._timers = {timer for timer in self._timers if timer.when() > now}
            self._timers.add(loop.call_later(delay, self._put, event_id))
            return True
        return self._put(event_id)

    def _put(self, event_id: str) -> bool:
        if event_id in self._pending:
            return False
        self._pending.add(event_id)
        self._queue.put_nowait(event_id)
        return True

    async def ping(self) -> bool:
        return True

    async def join(self) -> None:
        """Wait until every queued job has run (used by the demo and tests)."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            event_id = await self._queue.get()
            self._pending.discard(event_id)
            try:
                if self._run is not None:
                    await self._run(event_id)
            except Exception:
                log.exception("inline_job_crashed", event_id=event_id)
            finally:
                self._queue.task_done()

    async def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
