"""Nothing lost when Redis, a worker or the database fails — on real services."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from stripe_p21.ingest.sweeper import sweep
from tests.conftest import StackFactory
from tests.support.factories import effect_event, encode
from tests.support.stack import SECRET, Stack
from tests.support.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, so stopping it disturbs nobody."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
            [  # noqa: S607 - redis-server is found on PATH like any service binary
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    from tests.support import backends

    backends.require("redis")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
@pytest.mark.redis
async def test_redis_down_loses_nothing(
    postgres_url: str, private_redis: PrivateRedis, stack_factory: StackFactory, backend: str
) -> None:
    if backend != "postgres-arq":
        pytest.skip("Redis only exists on the arq backend")
    async with stack_factory(STRIPE_P21_REDIS_URL=private_redis.url) as stack:
        private_redis.stop()
        events = [effect_event() for _ in range(10)]
        started = time.monotonic()
        answers = [await stack.post_event(event) for event in events]
        assert [a.status_code for a in answers] == [200] * 10
        assert time.monotonic() - started < 10  # the circuit breaker keeps acks fast
        assert await stack.count_events() == 10
        metrics = (await stack.client.get("/metrics")).text
        assert "stripe_p21_enqueue_failures_total" in metrics
        assert (await stack.client.get("/readyz")).status_code == 503

        private_redis.start()
        await asyncio.sleep(0.6)  # past the sweep grace and the circuit breaker window
        stack.services.queue._open_until = 0.0  # type: ignore[attr-defined]
        assert (await sweep(stack.services)).enqueued == 10
        for event in events:
            assert (await stack.settle(event["id"])).status == "processed"
            assert await stack.effects(event["id"]) == 1


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE", "P21_"))}
    full |= env | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "stripe_p21", *args],
        env=full,
        cwd=ROOT / "tests",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait(predicate, within: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


async def test_worker_killed_mid_job_is_recovered_exactly_once(
    stack_factory: StackFactory, backend: str
) -> None:
    lease = {"STRIPE_P21_LEASE_SECONDS": "2", "STRIPE_P21_SWEEP_INTERVAL_SECONDS": "1"}
    async with stack_factory(**lease) as stack:
        env = {key: os.environ[key] for key in os.environ if key.startswith("STRIPE")}
        event = effect_event(sleep_on_attempt=1, sleep=120)
        if backend == "sqlite-inline":
            port = _free_port()
            victim = _spawn(["serve", "--port", str(port)], env)
            await _post_when_up(f"http://127.0.0.1:{port}", event)
        else:
            victim = _spawn(["worker"], env)
            assert (await stack.post_event(event)).status_code == 200

        async def claimed_by_victim() -> bool:
            row = await stack.event(event["id"])
            return row is not None and row.status == "processing" and row.attempts == 1

        try:
            await _wait(claimed_by_victim)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        done = await stack.settle(event["id"], within=30)
        assert done.status == "processed"
        assert done.attempts == 2
        assert await stack.effects(event["id"]) == 1


async def _post_when_up(base: str, event: dict[str, object]) -> None:
    from stripe_p21.connectors.stripe.signature import sign

    body = encode(event)  # type: ignore[arg-type]
    async with httpx.AsyncClient(base_url=base) as client:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = await client.post(
                    "/webhooks/stripe",
                    content=body,
                    headers={"Stripe-Signature": sign(body, SECRET)},
                )
                assert answer.status_code == 200, answer.text
                return
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def test_database_down_answers_503_and_stores_nothing(
    stack_factory: StackFactory, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite-inline":
        async with stack_factory(STRIPE_P21_SQLITE_BUSY_TIMEOUT_MS="200") as stack:
            # A locked SQLite still reads, so readiness stays green; writes must not pretend.
            await _check_outage(stack, *_sqlite_lock(stack), reads_fail=False)
        return
    pg = urlsplit(request.getfixturevalue("postgres_url"))
    proxy = TcpProxy(pg.hostname or "127.0.0.1", pg.port or 5432)
    await proxy.start()
    url = urlunsplit(pg._replace(netloc=f"{pg.username}@127.0.0.1:{proxy.port}"))
    async with stack_factory(
        STRIPE_P21_DATABASE_URL=url, STRIPE_P21_DB_CONNECT_TIMEOUT="1"
    ) as stack:
        await _check_outage(stack, proxy.stop, proxy.start, reads_fail=True)
    await proxy.stop()


def _sqlite_lock(stack: Stack):  # type: ignore[no-untyped-def]
    path = stack.settings.db.database_url.split("///", 1)[1]
    holder = sqlite3.connect(path, timeout=1, isolation_level=None, check_same_thread=False)

    async def down() -> None:
        holder.execute("BEGIN EXCLUSIVE")

    async def up() -> None:
        holder.execute("COMMIT")

    return down, up


async def _check_outage(stack: Stack, down, up, *, reads_fail: bool) -> None:  # type: ignore[no-untyped-def]
    before = effect_event()
    assert (await stack.post_event(before)).status_code == 200
    await down()
    during = effect_event()
    answer = await stack.post_event(during)
    assert answer.status_code == 503
    assert answer.json()["reason"] == "storage_unavailable"
    if reads_fail:
        assert (await stack.client.get("/readyz")).status_code == 503
    await up()
    assert await stack.event(during["id"]) is None
    retry = await stack.post_event(during)  # Stripe retries the same event
    assert retry.status_code == 200
    assert (await stack.settle(during["id"])).status == "processed"
