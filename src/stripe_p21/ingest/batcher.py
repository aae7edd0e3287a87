"""Group commit for the webhook on PostgreSQL: inserts from concurrent requests that arrive
within a millisecond or two share one multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING id`
and one commit. Each request still waits for its own row to be durable before it answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

Row = tuple[Any, ...]
Flush = Callable[[list[Row]], Coroutine[Any, Any, set[str]]]


class InsertBatcher:
    """Collects rows (id first) and flushes them together; answers True per newly stored id."""

    def __init__(self, flush: Flush, *, max_rows: int = 64, max_wait: float = 0.002) -> None:
        self._flush = flush
        self._max_rows, self._max_wait = max_rows, max_wait
        self._pending: list[tuple[Row, asyncio.Future[bool]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def insert(self, row: Row) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if len(self._pending) >= self._max_rows:
            self._start_flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._max_wait, self._start_flush)
        return await future

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Row, asyncio.Future[bool]]]) -> None:
        try:
            inserted = await self._flush([row for row, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every waiter gets the failure (→ 503)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for row, future in batch:
            event_id = row[0]
            is_new = event_id in inserted
            inserted.discard(event_id)  # a second copy in the same batch is a duplicate
            if not future.done():
                future.set_result(is_new)
