"""`JobQueue` on arq/Redis, with JSON job payloads and a short circuit breaker: while Redis is
down, webhooks skip the enqueue instead of waiting on it; the sweeper enqueues later."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

from stripe_p21.runtime.queue import job_id

PROCESS_EVENT = "process_event"


class QueueUnavailable(RuntimeError):
    """Redis did not answer recently; the enqueue was skipped."""


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def loads(raw: bytes) -> Any:
    return json.loads(raw)


def connect(url: str, queue_name: str) -> ArqRedis:
    """An arq client that connects lazily: a Redis outage never blocks start-up."""
    pool = ConnectionPool.from_url(
        url, socket_connect_timeout=1.0, socket_timeout=2.0, max_connections=64
    )
    return ArqRedis(
        pool, job_serializer=dumps, job_deserializer=loads, default_queue_name=queue_name
    )


class ArqQueue:
    """Enqueues `process_event` jobs with deterministic ids (one per event and attempt)."""

    def __init__(
        self, redis: ArqRedis, *, circuit_seconds: float = 5.0, owned: bool = True
    ) -> None:
        self.redis = redis
        self._circuit_seconds = circuit_seconds
        self._open_until = 0.0
        self._owned = owned

    async def enqueue(
        self, event_id: str, *, attempt: int = 0, defer_until: datetime | None = None
    ) -> bool:
        if time.monotonic() < self._open_until:
            raise QueueUnavailable("Redis was unreachable moments ago; enqueue skipped")
        try:
            job = await self.redis.enqueue_job(
                PROCESS_EVENT, event_id, _job_id=job_id(event_id, attempt), _defer_until=defer_until
            )
        except (OSError, ConnectionError, TimeoutError) as exc:
            self._open_until = time.monotonic() + self._circuit_seconds
            raise QueueUnavailable(f"enqueue failed: {type(exc).__name__}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("redis"):
                self._open_until = time.monotonic() + self._circuit_seconds
            raise
        return job is not None

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    async def close(self) -> None:
        if self._owned:
            await self.redis.aclose(close_connection_pool=True)
