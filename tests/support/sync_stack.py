"""The whole system on loopback for end-to-end tests and the benchmark: the P21 sandbox and the
Stripe sandbox on free ports, our service (uvicorn in this event loop, SQLite + inline runner or
PostgreSQL + arq workers) wired to both, a scenario played into the webhook, and a wait until
every event is terminal.

    async with sync_stack("sqlite-inline", tmp_path) as s:
        await s.play(days=3, seed=7, duplicate_rate=0.1, reorder_window=3)
        await s.settle_all()
        result = await s.check()          # sync_check against the scenario's truth

Other env (retry pacing, P21 concurrency…) goes in as keyword arguments and wins over the
defaults; `postgres_url`/`redis_url` are needed for "postgres-arq"."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from arq.worker import Worker
from litestar import Litestar
from sqlalchemy import func, select

from stripe_p21.app import create_app
from stripe_p21.db.tables import StripeEvent
from stripe_p21.ingest.sweeper import sweep
from stripe_p21.runtime.inline import InlineRunner
from stripe_p21.runtime.services import Services
from stripe_p21.sandbox.p21.app import SandboxApp
from stripe_p21.sandbox.p21.app import create_app as create_p21_app
from stripe_p21.sandbox.p21.config import DEFAULT_PASSWORD, DEFAULT_USERNAME
from stripe_p21.sandbox.p21.config import SandboxConfig as P21Config
from stripe_p21.sandbox.scenarios import (
    LocalSandbox,
    LocalSink,
    Scenario,
    ScenarioSpec,
    generate,
    local_sandbox,
    play,
)
from stripe_p21.sandbox.stripe import DeliveryPolicy
from stripe_p21.sandbox.threaded import ThreadedServer, free_port
from stripe_p21.settings import Settings
from stripe_p21.sync_check import CheckResult, check, p21_state_of
from stripe_p21.worker import build_worker, stop_embedded
from tests.support.process_sandbox import ProcessSandbox

SECRET = "whsec_sync_stack_0123456789abcdef"
API_KEY = "sk_test_sync_stack"
START = datetime(2026, 11, 1, tzinfo=UTC)
TERMINAL = frozenset({"processed", "ignored", "needs_review", "dead"})
_PREFIXES = ("STRIPE_P21_", "STRIPE_", "P21_")


class _CapturingSink(LocalSink):
    """`LocalSink` that also keeps every event it made (for callers that deliver themselves)."""

    def __init__(self, box: Any) -> None:
        super().__init__(box)
        self.events: list[dict[str, Any]] = []

    def emit(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None) -> str:
        self.box.store.put(obj)
        event = self.box.store.emit_event(event_type, obj, previous_attributes=previous)
        self.events.append(event)
        return str(event["id"])


@dataclass
class SyncStack:
    """A running system. `play` once, then `settle_all`, then look (`p21_state`, `check`)."""

    backend: str
    settings: Settings
    app: Litestar
    url: str
    p21_app: SandboxApp | None
    """None when the P21 sandbox runs in its own process (`p21_process=True`)."""
    p21_url: str
    stripe_port: int
    stripe: LocalSandbox | None = None
    scenario: Scenario | None = None
    event_ids: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/webhooks/stripe"

    @property
    def stripe_url(self) -> str:
        return f"http://127.0.0.1:{self.stripe_port}"

    # --- playing -------------------------------------------------------------------------

    async def play(
        self,
        *,
        days: int = 3,
        seed: int = 7,
        duplicate_rate: float = 0.0,
        reorder_window: int = 1,
        delay: float = 0.0,
        speed: float = 0.0,
        scenario: Scenario | None = None,
        deliver: bool = True,
    ) -> Scenario:
        """Generate (or take) a scenario and play it into the Stripe sandbox, which delivers
        it signed to our webhook with the given chaos. Returns once every step is sent.
        `deliver=False`: the sandbox only stores; the events are kept in `self.events` for the
        caller to send (the benchmark paces them itself)."""
        if self.stripe is not None:
            raise RuntimeError("one scenario per stack: the Stripe sandbox is seeded by it")
        planned = scenario or generate(ScenarioSpec(seed=seed, days=days, start=START))
        chaos = DeliveryPolicy(
            duplicate_rate=duplicate_rate,
            reorder_window=reorder_window,
            max_delay_seconds=delay,
            retry_base_seconds=0.2,
            seed=planned.spec.seed,
        )
        self.stripe = self._exit.enter_context(
            local_sandbox(
                seed=planned.spec.seed,
                start=planned.spec.start,
                targets=(self.webhook_url,) if deliver else (),
                secret=SECRET,
                port=self.stripe_port,
                delivery=chaos,
            )
        )
        self.scenario = planned
        box = self.stripe.box
        sink = _CapturingSink(box)
        self.event_ids = await asyncio.to_thread(play, planned, sink, speed=speed)
        self.events = sink.events
        return planned

    async def deliveries_idle(self, within: float = 300.0) -> None:
        """Wait until the Stripe sandbox has delivered (or given up on) every event."""
        if self.stripe is None:
            return
        if not await asyncio.to_thread(self.stripe.box.dispatcher.wait_idle, within):
            raise AssertionError(f"Stripe sandbox deliveries still pending after {within}s")

    async def settle_all(self, within: float = 300.0, *, sweep_too: bool = True) -> Counter[str]:
        """Wait until every played event is stored and every stored event is terminal, with the
        Stripe sandbox idle (our write-backs make events too) and nothing moving for a moment.
        Returns the status counts."""
        deadline = time.monotonic() + within
        await self.deliveries_idle(within)
        expected = set(self.event_ids)
        quiet: tuple[int, int] | None = None
        while True:
            if isinstance(self.services.queue, InlineRunner):
                await self.services.queue.join()
            statuses, stored = await self.event_statuses()
            pending = {s: n for s, n in statuses.items() if s not in TERMINAL}
            missing = expected - stored
            idle = self.stripe is None or await asyncio.to_thread(
                self.stripe.box.dispatcher.wait_idle, 0.05
            )
            if not pending and not missing and idle:
                if quiet == (
                    len(stored),
                    len(self.stripe.box.dispatcher.attempts) if self.stripe else 0,
                ):
                    return statuses
                quiet = (
                    len(stored),
                    len(self.stripe.box.dispatcher.attempts) if self.stripe else 0,
                )
            else:
                quiet = None
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not settled after {within}s: pending {pending}, missing {len(missing)}"
                )
            if sweep_too:
                await sweep(self.services)
            await asyncio.sleep(0.3)

    async def event_statuses(self) -> tuple[Counter[str], set[str]]:
        status: Any = StripeEvent.status
        event_id: Any = StripeEvent.id
        async with self.services.sessions() as session:
            rows = (await session.execute(select(status, func.count()).group_by(status))).all()
            ids = set((await session.execute(select(event_id))).scalars())
        return Counter({str(s): int(n) for s, n in rows}), {str(i) for i in ids}

    # --- looking ---------------------------------------------------------------------------

    async def p21_state(self) -> dict[str, Any]:
        """The P21 sandbox's state (the shape of `GET /sandbox/state`, without its list limit)."""
        if self.p21_app is None:
            raise RuntimeError("the P21 sandbox runs in its own process: no in-process state")
        return await asyncio.to_thread(p21_state_of, self.p21_app.sandbox)

    async def p21_faults(self, **changes: Any) -> dict[str, Any]:
        """`PUT /sandbox/faults` — e.g. `outage_seconds=5`, `drop_next=1`, `latency_ms=150`."""
        async with httpx.AsyncClient(base_url=self.p21_url, timeout=10) as client:
            answer = await client.put("/sandbox/faults", json=changes)
            answer.raise_for_status()
            result: dict[str, Any] = answer.json()
            return result

    async def check(self) -> CheckResult:
        """sync_check of P21 and our database against the played scenario's truth."""
        if self.scenario is None:
            raise RuntimeError("play a scenario first")
        state = await self.p21_state()
        return await check(
            self.scenario.truth.as_json(), p21_state=state, sessions=self.services.sessions
        )


def base_env(
    backend: str,
    tmp_path: Path,
    *,
    p21_url: str,
    stripe_port: int,
    postgres_url: str | None = None,
    redis_url: str | None = None,
) -> dict[str, str]:
    env = {
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_KEY": API_KEY,
        "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}",
        "P21_BASE_URL": p21_url,
        "P21_USERNAME": DEFAULT_USERNAME,
        "P21_PASSWORD": DEFAULT_PASSWORD,
        "P21_READ_TIMEOUT": "5",
        "STRIPE_P21_LOG_LEVEL": os.environ.get("TEST_LOG_LEVEL", "WARNING"),
        "STRIPE_P21_RETRY_BASE_SECONDS": "0.2",
        "STRIPE_P21_RETRY_CAP_SECONDS": "2",
        "STRIPE_P21_MAX_ATTEMPTS": "12",
        "STRIPE_P21_SWEEP_GRACE_SECONDS": "2",
        "STRIPE_P21_SWEEP_INTERVAL_SECONDS": "1",
    }
    if backend == "sqlite-inline":
        env["STRIPE_P21_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/stripe_p21.db"
    else:
        if not (postgres_url and redis_url):
            raise ValueError("postgres-arq needs postgres_url and redis_url")
        env["STRIPE_P21_DATABASE_URL"] = postgres_url
        env["STRIPE_P21_REDIS_URL"] = redis_url
        env["STRIPE_P21_QUEUE_NAME"] = f"stripe_p21:sync:{time.monotonic_ns()}"
        env["STRIPE_P21_MIGRATE_ON_START"] = "false"
    return env


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Only `env` among our variables while the stack runs; the old environment afterwards."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(_PREFIXES)}
    for key in saved:
        del os.environ[key]
    os.environ.update(env)
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith(_PREFIXES)]:
            del os.environ[key]
        os.environ.update(saved)


@asynccontextmanager
async def sync_stack(
    backend: str,
    tmp_path: Path,
    *,
    postgres_url: str | None = None,
    redis_url: str | None = None,
    workers: int = 2,
    p21_config: P21Config | None = None,
    p21_process: bool = False,
    **env: str,
) -> AsyncIterator[SyncStack]:
    """Start both sandboxes and the service; stop everything on exit (see module docstring).
    `p21_process=True` runs the P21 sandbox in a child process (benchmarks; no `check`)."""
    config = p21_config or P21Config(today=START.date())
    p21_app: SandboxApp | None = None
    p21_server: ThreadedServer | ProcessSandbox
    if p21_process:
        p21_server = ProcessSandbox(config).start()
    else:
        p21_app = create_p21_app(config)
        p21_server = ThreadedServer(p21_app).start()
    stripe_port = free_port()
    merged = (
        base_env(
            backend,
            tmp_path,
            p21_url=p21_server.url,
            stripe_port=stripe_port,
            postgres_url=postgres_url,
            redis_url=redis_url,
        )
        | env
    )
    try:
        with _environment(merged):
            settings = Settings(env_file=None)
            app = create_app(settings)
            async with _serving(app) as url, _workers(backend, settings, workers):
                stack = SyncStack(backend, settings, app, url, p21_app, p21_server.url, stripe_port)
                try:
                    yield stack
                finally:
                    stack._exit.close()
    finally:
        p21_server.stop()
        if p21_app is not None:
            p21_app.close()


@asynccontextmanager
async def _serving(app: Litestar) -> AsyncIterator[str]:
    """Our service under uvicorn in this event loop (so the inline runner shares it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="critical", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 20
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("stripe-p21 did not start")
        if time.monotonic() > deadline:
            raise RuntimeError("stripe-p21 did not start in time")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


@asynccontextmanager
async def _workers(backend: str, settings: Settings, count: int) -> AsyncIterator[None]:
    """arq workers (and a sweeper loop) in this event loop for postgres-arq; nothing inline."""
    if backend == "sqlite-inline" or count == 0:
        yield
        return
    running: list[tuple[Worker, asyncio.Task[None]]] = []
    for _ in range(count):
        worker = build_worker(settings, embedded=True)
        running.append((worker, asyncio.create_task(worker.main())))
    sweeper = asyncio.create_task(_sweep_loop(settings))
    try:
        yield
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await asyncio.gather(*(stop_embedded(w, t) for w, t in running))


async def _sweep_loop(settings: Settings) -> None:
    from stripe_p21.app import build_queue

    services = Services.build(settings, build_queue(settings))
    try:
        while True:
            await asyncio.sleep(settings.jobs.sweep_interval_seconds)
            with contextlib.suppress(Exception):
                await sweep(services)
    finally:
        await services.close()


async def truncate_all(url: str) -> None:
    """Empty every table of a PostgreSQL test database (the session fixture migrated it)."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlmodel import SQLModel

    import stripe_p21.db.models  # noqa: F401  (every table on the metadata)

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


SyncStackFactory = Callable[..., AbstractAsyncContextManager[SyncStack]]


@pytest.fixture
def sync_stack_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> SyncStackFactory:
    """`async with sync_stack_factory(STRIPE_P21_MAX_ATTEMPTS="20") as s:` on the test's
    backend (parametrise with the `backend` fixture of tests/conftest.py). Import this fixture
    into your conftest: `from tests.support.sync_stack import sync_stack_factory  # noqa: F401`."""
    pg = redis = None
    if backend == "postgres-arq":
        pg = request.getfixturevalue("postgres_url")
        redis = request.getfixturevalue("redis_url")

    @asynccontextmanager
    async def make(**kwargs: Any) -> AsyncIterator[SyncStack]:
        if pg is not None:
            await truncate_all(pg)
        async with sync_stack(
            backend, tmp_path, postgres_url=pg, redis_url=redis, **kwargs
        ) as running:
            yield running

    return make
