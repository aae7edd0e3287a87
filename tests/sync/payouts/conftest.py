"""Fixtures for the payout flow: the P21 sandbox in process (ASGI), the Stripe sandbox on
loopback holding the seven-day scenario, a migrated SQLite inbox (`flow`; `flow_db` also runs on
PostgreSQL), and `Flow.run` that stores a payout event and runs it through `process_event` like a
worker would."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import stripe_p21.pipeline.handlers  # noqa: F401  (registers the payout handler)
from stripe_p21.connectors.p21 import P21Client
from stripe_p21.connectors.stripe import StripeClientGateway
from stripe_p21.db.engine import create_engine, session_factory
from stripe_p21.db.migrate import upgrade
from stripe_p21.db.tables import StripeEvent, utcnow
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.jobs import JobDeps, process_event
from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.pipeline.registry import registry
from stripe_p21.pipeline.retry import RetryPolicy
from stripe_p21.sandbox.p21.app import SandboxApp
from stripe_p21.sandbox.p21.app import create_app as create_p21_app
from stripe_p21.sandbox.p21.config import DEFAULT_PASSWORD, DEFAULT_USERNAME
from stripe_p21.sandbox.scenarios import LocalSandbox, LocalSink, local_sandbox, play
from stripe_p21.settings import Settings
from tests.sync.payouts.scenario_payouts import START, week

API_KEY = "sk_test_payout_suite"
MAPPING = Path(__file__).parents[3] / "config" / "mapping.yaml"


class RecordingQueue:
    """A JobQueue that only remembers what was enqueued (tests run events by hand)."""

    def __init__(self) -> None:
        self.enqueued: list[str] = []

    async def enqueue(self, event_id: str, **_: Any) -> None:
        self.enqueued.append(event_id)

    async def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def stripe_box() -> Iterator[LocalSandbox]:
    """The Stripe sandbox with the seven-day scenario played into it (no webhooks)."""
    with local_sandbox(seed=7, start=START, targets=(), secret=None) as local:
        play(week(), LocalSink(local.box))
        yield local


@pytest.fixture
def p21_app() -> Iterator[SandboxApp]:
    app = create_p21_app()
    yield app
    app.close()


@dataclass
class Flow:
    sessions: async_sessionmaker[AsyncSession]
    deps: JobDeps
    p21_app: SandboxApp
    p21: Any
    mapping: MappingConfig
    counter: list[int] = field(default_factory=lambda: [0])

    async def store(
        self, event_type: str, obj: dict[str, Any], *, event_id: str | None = None
    ) -> str:
        self.counter[0] += 1
        event_id = event_id or f"evt_payout_test_{self.counter[0]:04d}"
        payload = {"id": event_id, "object": "event", "type": event_type,
                   "created": int(obj.get("created") or 0), "data": {"object": obj}}  # fmt: skip
        async with self.sessions() as session, session.begin():
            session.add(
                StripeEvent(
                    id=event_id,
                    type=event_type,
                    created=utcnow(),
                    payload=json.dumps(payload),
                    received_at=utcnow(),
                )
            )
        return event_id

    async def run(self, event_id: str) -> StripeEvent:
        await process_event(self.deps, event_id)
        async with self.sessions() as session:
            event = await session.get(StripeEvent, event_id)
        assert event is not None
        return event

    async def make_due(self, event_id: str) -> None:
        async with self.sessions() as session, session.begin():
            event = await session.get(StripeEvent, event_id)
            assert event is not None
            event.next_attempt_at = utcnow()

    def gl_entries(self) -> list[dict[str, Any]]:
        from stripe_p21.sync_check.state import p21_state_of

        entries: list[dict[str, Any]] = p21_state_of(self.p21_app.sandbox)["gl_entries"]
        return entries


async def _flow(
    database_url: str,
    p21_app: SandboxApp,
    stripe_box: LocalSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Flow]:
    for key in [k for k in os.environ if k.startswith(("STRIPE_P21_", "STRIPE_", "P21_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("STRIPE_P21_DATABASE_URL", database_url)
    monkeypatch.setenv("STRIPE_P21_MAX_ATTEMPTS", "6")
    settings = Settings(env_file=None)
    await asyncio.to_thread(upgrade, settings.db.database_url)
    engine = create_engine(settings.db)
    mapping = load_mapping(MAPPING)
    transport = httpx.ASGITransport(app=p21_app)  # type: ignore[arg-type]
    p21 = P21Client(
        "http://p21.test", username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD,
        transport=transport, retry_backoff=0.01,
    )  # fmt: skip
    stripe = StripeClientGateway(API_KEY, api_base=stripe_box.server.url, max_network_retries=0)
    gateways = Gateways(settings, stripe=stripe, p21=p21, mapping=mapping)
    sessions = session_factory(engine)
    deps = JobDeps(
        sessions=sessions, settings=settings, registry=registry, queue=RecordingQueue(),  # type: ignore[arg-type]
        worker_id="payout-test", policy=RetryPolicy(6, 0.0, 0.0), gateways=gateways,
    )  # fmt: skip
    try:
        yield Flow(sessions, deps, p21_app, p21, mapping)
    finally:
        await stripe.aclose()
        await p21.aclose()
        await engine.dispose()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
async def flow(
    tmp_path: Path, p21_app: SandboxApp, stripe_box: LocalSandbox, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Flow]:
    """The flow on a migrated SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path}/payouts.db"
    async for running in _flow(url, p21_app, stripe_box, monkeypatch):
        yield running


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def flow_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or the session's migrated PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/payouts.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def flow_db(
    flow_db_url: str, p21_app: SandboxApp, stripe_box: LocalSandbox, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Flow]:
    """The flow on both databases (PostgreSQL emptied first: row locks and concurrent claims
    behave as in production there)."""
    if not flow_db_url.startswith("sqlite"):
        from tests.support.sync_stack import truncate_all

        await truncate_all(flow_db_url)
    async for running in _flow(flow_db_url, p21_app, stripe_box, monkeypatch):
        yield running
