"""The arq queue on a real Redis: batched first-attempt enqueues write what arq reads."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job

from stripe_p21.runtime.arq_queue import ArqQueue, connect, dumps, loads
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


@pytest.mark.redis
@pytest.mark.parametrize(("jobs", "max_jobs"), [(40, 4), (10, 64)])
async def test_quiet_workers_run_every_job_once(redis_url: str, jobs: int, max_jobs: int) -> None:
    """Two `QuietWorker`s on one queue run every job exactly once. With room to spare (the
    second case) a worker remembers the jobs it saw running in the other instead of asking
    Redis about them again at every poll."""
    from arq import func
    from arq.connections import RedisSettings

    from stripe_p21.worker import QuietWorker

    queue_name = f"stripe_p21:test:quiet:{uuid.uuid4().hex}"
    runs: list[tuple[str, int]] = []

    async def work(ctx: dict[str, object], n: int) -> None:
        runs.append((str(ctx["name"]), n))
        await asyncio.sleep(0.05 if max_jobs < jobs else 0.3)

    def worker(name: str) -> QuietWorker:
        async def startup(ctx: dict[str, object]) -> None:
            ctx["name"] = name

        return QuietWorker(
            functions=[func(work, name="work")],
            redis_settings=RedisSettings.from_dsn(redis_url),
            queue_name=queue_name,
            on_startup=startup,
            burst=True,
            poll_delay=0.01,
            max_jobs=max_jobs,
            handle_signals=False,
            keep_result=0,
            job_serializer=dumps,
            job_deserializer=loads,
        )

    pool = connect(redis_url, queue_name)
    first, second = worker("a"), worker("b")
    try:
        for n in range(jobs):
            await pool.enqueue_job("work", n, _job_id=f"job-{n}", _queue_name=queue_name)
        await asyncio.wait_for(asyncio.gather(first.main(), second.main()), 60)
        assert sorted(n for _, n in runs) == list(range(jobs))  # each exactly once
        if max_jobs < jobs:
            assert {name for name, _ in runs} == {"a", "b"}  # both took part
        else:
            assert first._elsewhere or second._elsewhere
    finally:
        await first.close()
        await second.close()
        await pool.delete(queue_name)
        await pool.aclose()
