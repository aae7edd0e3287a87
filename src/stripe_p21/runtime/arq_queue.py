"""`JobQueue` on arq/Redis, with JSON job payloads and a short circuit breaker: while Redis is
down, webhooks skip the enqueue instead of waiting on it; the sweeper enqueues later.

Enqueueing writes exactly what `ArqRedis.enqueue_job` writes (job key, queue entry), but in one
Lua call instead of a WATCH/MULTI round-trip dance: it sits on the webhook's hot path. Immediate
enqueues from concurrent requests that arrive within a millisecond share that call (the same
group-commit idea as the inbox insert, ADR 0005): each caller still waits for its own job."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import msgspec
from arq.connections import ArqRedis
from arq.constants import expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from redis.asyncio import ConnectionPool

from stripe_p21.ingest.batcher import InsertBatcher, Row
from stripe_p21.runtime.queue import job_id

PROCESS_EVENT = "process_event"


class QueueUnavailable(RuntimeError):
    """Redis did not answer recently; the enqueue was skipped."""


def dumps(value: Any) -> bytes:
    return msgspec.json.encode(value)


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


_ENQUEUE = """
if redis.call('exists', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('psetex', KEYS[1], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


_ENQUEUE_MANY = """
local added = {}
for i = 4, #ARGV, 3 do
  local job, payload, score = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local job_key, result_key = ARGV[1] .. job, ARGV[2] .. job
  if redis.call('exists', job_key, result_key) > 0 then
    added[#added + 1] = 0
  else
    redis.call('psetex', job_key, ARGV[3], payload)
    redis.call('zadd', KEYS[1], score, job)
    added[#added + 1] = 1
  end
end
return added
"""


class ArqQueue:
    """Enqueues `process_event` jobs with deterministic ids (one per event and attempt)."""

    def __init__(
        self, redis: ArqRedis, *, circuit_seconds: float = 5.0, owned: bool = True
    ) -> None:
        self.redis = redis
        self._circuit_seconds = circuit_seconds
        self._open_until = 0.0
        self._owned = owned
        self._script = redis.register_script(_ENQUEUE)
        self._script_many = redis.register_script(_ENQUEUE_MANY)
        self._batcher = InsertBatcher(self._enqueue_rows, max_rows=128, max_wait=0.001)

    async def enqueue(
        self, event_id: str, *, attempt: int = 0, defer_until: datetime | None = None
    ) -> bool:
        if time.monotonic() < self._open_until:
            raise QueueUnavailable("Redis was unreachable moments ago; enqueue skipped")
        try:
            if attempt == 0 and defer_until is None:
                added = await self._batcher.insert((event_id,))
            else:
                added = await self._enqueue(job_id(event_id, attempt), event_id, defer_until)
        except (OSError, ConnectionError, TimeoutError) as exc:
            self._open_until = time.monotonic() + self._circuit_seconds
            raise QueueUnavailable(f"enqueue failed: {type(exc).__name__}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("redis"):
                self._open_until = time.monotonic() + self._circuit_seconds
            raise
        return added

    async def _enqueue(self, job: str, event_id: str, defer_until: datetime | None) -> bool:
        now_ms = int(time.time() * 1000)
        score = int(defer_until.timestamp() * 1000) if defer_until else now_ms
        payload = serialize_job(PROCESS_EVENT, (event_id,), {}, None, now_ms, serializer=dumps)
        keys = [job_key_prefix + job, result_key_prefix + job, self.redis.default_queue_name]
        expires = max(score - now_ms, 0) + expires_extra_ms
        return bool(await self._script(keys=keys, args=[expires, payload, score, job]))

    async def _enqueue_rows(self, rows: list[Row]) -> set[str]:
        """One Lua call for a batch of first-attempt enqueues; returns the ids newly queued."""
        now_ms = int(time.time() * 1000)
        args: list[Any] = [job_key_prefix, result_key_prefix, expires_extra_ms]
        for (event_id,) in rows:
            payload = serialize_job(PROCESS_EVENT, (event_id,), {}, None, now_ms, serializer=dumps)
            args += [job_id(event_id, 0), payload, now_ms]
        flags = await self._script_many(keys=[self.redis.default_queue_name], args=args)
        return {row[0] for row, flag in zip(rows, flags, strict=True) if flag}

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    async def close(self) -> None:
        if self._owned:
            await self.redis.aclose(close_connection_pool=True)
