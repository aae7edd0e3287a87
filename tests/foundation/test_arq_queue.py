"""The arq queue on a real Redis: batched first-attempt enqueues write what arq reads."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job

from stripe_p21.runtime.arq_queue import ArqQueue, connect, loads
from stripe_p21.runtime.queue import job_id


@pytest.mark.redis
async def test_concurrent_enqueues_share_calls_and_each_job_is_queued_once(redis_url: str) -> None:
    queue_name = f"stripe_p21:test:batch:{uuid.uuid4().hex}"
    queue = ArqQueue(connect(redis_url, queue_name))
    try:
        ids = [f"evt_{n:04d}" for n in range(150)]
        flags = await asyncio.gather(*(queue.enqueue(event_id) for event_id in ids + ids[:20]))
        assert flags[:150] == [True] * 150  # new jobs
        assert flags[150:] == [False] * 20  # the same event again: already queued
        queued = await queue.redis.zrange(queue_name, 0, -1)
        assert sorted(q.decode() for q in queued) == sorted(job_id(i, 0) for i in ids)
        raw = await queue.redis.get(job_key_prefix + job_id(ids[7], 0))
        job = deserialize_job(raw, deserializer=loads)
        assert (job.function, list(job.args)) == ("process_event", [ids[7]])  # JSON: a list
        assert await queue.redis.pttl(job_key_prefix + job_id(ids[7], 0)) > 0
        # a retry (attempt 1, deferred) takes the single-job path and gets its own id
        assert await queue.enqueue(ids[0], attempt=1)
        assert await queue.redis.zscore(queue_name, job_id(ids[0], 1)) is not None
    finally:
        keys = [job_key_prefix + job_id(i, a) for i in ids for a in (0, 1)]
        await queue.redis.delete(queue_name, *keys)
        await queue.close()
