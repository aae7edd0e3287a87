"""A small harness for the refund, Radar and dispute flows: the Stripe sandbox on loopback, the
P21 sandbox in process (ASGI), a migrated SQLite database, and `process_event` run on events we
build — so a test controls exactly which events arrive, in which order, how often.

Shared by tests/sync/refunds, tests/sync/radar and tests/sync/disputes."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select

import stripe_p21.pipeline.handlers  # noqa: F401  (registers every handler)
from stripe_p21.connectors.p21 import P21Client
from stripe_p21.connectors.p21.schemas import OrderDraft, OrderLine, P21Order, Payment
from stripe_p21.connectors.stripe.client import StripeClientGateway
from stripe_p21.db.engine import create_engine, session_factory
from stripe_p21.db.migrate import upgrade
from stripe_p21.db.tables import StripeEvent
from stripe_p21.db.types import utcnow
from stripe_p21.ingest.envelope import parse_event
from stripe_p21.ingest.inbox import store_event
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.jobs import JobDeps, process_event
from stripe_p21.pipeline.mapping.config import MappingConfig, load_mapping
from stripe_p21.pipeline.registry import registry
from stripe_p21.pipeline.sync.links import record_link
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.tables import ReviewItem
from stripe_p21.sandbox.p21.app import SandboxApp
from stripe_p21.sandbox.p21.app import create_app as create_p21_app
from stripe_p21.sandbox.p21.config import DEFAULT_PASSWORD, DEFAULT_USERNAME
from stripe_p21.sandbox.p21.seed import generate as p21_seed
from stripe_p21.sandbox.stripe import (
    SandboxConfig,
    StripeSandbox,
    create_app,
    serve_in_thread,
    shapes_payments,
    shapes_risk,
)
from stripe_p21.settings import Settings

API_KEY = "sk_test_refund_radar_dispute"
NOW = int(datetime(2026, 11, 20, 15, 0, tzinfo=UTC).timestamp())
SEED = p21_seed()
CUSTOMER_ID = SEED.customers[3].customer_id
ITEMS = SEED.items


class _NoQueue:
    async def enqueue(self, event_id: str, *, attempt: int = 0, defer_until: Any = None) -> bool:
        return True

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


@dataclass
class Harness:
    box: StripeSandbox
    p21_app: SandboxApp
    p21: P21Client
    deps: JobDeps
    mapping: MappingConfig
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- Stripe objects ----------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_hx{next(self._ids):06d}{prefix[:2]}Test"

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.box.store.put(obj)
        return obj

    def charge(self, amount: int, currency: str = "usd", **fields: Any) -> dict[str, Any]:
        charge_id = self.new_id("ch")
        obj = shapes_payments.charge(
            id=charge_id, created=NOW, amount=amount, currency=currency, customer=None,
            payment_intent=self.new_id("pi"), metadata=fields.pop("metadata", {}), **fields,
        )  # fmt: skip
        return self.put(obj)

    def refund(self, charge: dict[str, Any], amount: int, **fields: Any) -> dict[str, Any]:
        obj = shapes_payments.refund(
            id=self.new_id("re"), created=NOW + 3600, amount=amount,
            currency=charge["currency"], charge=charge["id"], **fields,
        )  # fmt: skip
        self.put(obj)
        refunded = int(charge["amount_refunded"]) + amount
        charge["amount_refunded"] = refunded
        charge["refunded"] = refunded >= int(charge["amount"])
        data = [obj, *charge["refunds"]["data"]]
        charge["refunds"] = {**charge["refunds"], "data": data}
        self.put(charge)
        return obj

    def review(self, charge: dict[str, Any], **fields: Any) -> dict[str, Any]:
        obj = shapes_risk.review(id=self.new_id("prv"), created=NOW + 60, charge=charge["id"])
        return self.put({**obj, **fields})

    def warning(self, charge: dict[str, Any], **fields: Any) -> dict[str, Any]:
        obj = shapes_risk.early_fraud_warning(
            id=self.new_id("issfr"), created=NOW + 60, charge=charge["id"]
        )
        return self.put({**obj, **fields})

    def dispute(self, charge: dict[str, Any], **fields: Any) -> dict[str, Any]:
        obj = shapes_risk.dispute(
            id=self.new_id("dp"), created=NOW + 120, amount=int(charge["amount"]),
            currency=charge["currency"], charge=charge["id"],
        )  # fmt: skip
        return self.put({**obj, **fields})

    # --- P21 ----------------------------------------------------------------------------

    async def seed_order(
        self, charge: dict[str, Any], lines: list[tuple[str, int, str]]
    ) -> SyncLink:
        """A P21 order for `charge` (as the payments flow would make it) and its link."""
        draft = OrderDraft(
            customer_id=CUSTOMER_ID,
            po_no=charge["id"],
            lines=tuple(OrderLine(item, qty, Decimal(price)) for item, qty, price in lines),
            payment=Payment(Decimal(lines_total(lines)), charge["id"]),
            currency_id=str(charge["currency"]).upper(),
        )
        ref = await self.p21.create_order(draft)
        async with self.deps.sessions() as session, session.begin():
            return await record_link(
                session, stripe_object_id=charge["id"], stripe_object_type="charge",
                kind="order", p21_document_no=ref.order_no, mapping_version=self.mapping.version,
                p21_customer_id=CUSTOMER_ID, currency=charge["currency"],
                amount_minor=int(charge["amount"]),
            )  # fmt: skip

    async def order(self, order_no: str) -> P21Order:
        return await self.p21.get_order(order_no)

    async def rmas_for(self, po_no: str) -> list[P21Order]:
        found = await self.p21.find_orders_by_reference(po_no)
        return [await self.p21.get_order(o.order_no) for o in found if o.rma]

    def gl_entries(self) -> list[dict[str, Any]]:
        rows = self.p21_app.sandbox.store.rows("SELECT DISTINCT transaction_number FROM gl", ())
        return rows

    # --- events -------------------------------------------------------------------------

    async def deliver(
        self, event_type: str, obj: dict[str, Any], *, event_id: str | None = None
    ) -> StripeEvent:
        """Store an event carrying `obj` and process it; returns the event row afterwards."""
        event = {
            "id": event_id or self.new_id("evt"), "object": "event",
            "api_version": "2026-10-28.endive", "created": NOW + next(self._ids),
            "livemode": False, "pending_webhooks": 1, "type": event_type,
            "request": {"id": None, "idempotency_key": None}, "data": {"object": obj},
        }  # fmt: skip
        engine = self.deps.sessions.kw["bind"]
        await store_event(engine, parse_event(msgspec.json.encode(event)), received_at=utcnow())
        await process_event(self.deps, str(event["id"]))
        async with self.deps.sessions() as session:
            row = await session.get(StripeEvent, event["id"])
        assert row is not None
        return row

    async def links(self, kind: str) -> list[SyncLink]:
        async with self.deps.sessions() as session:
            stmt = select(SyncLink).where(SyncLink.p21_kind == kind)  # type: ignore[arg-type]
            return list((await session.execute(stmt)).scalars())

    async def link(self, stripe_id: str, kind: str) -> SyncLink | None:
        return next((lk for lk in await self.links(kind) if lk.stripe_object_id == stripe_id), None)

    async def review_items(self) -> list[tuple[str, str, str | None]]:
        async with self.deps.sessions() as session:
            items = (await session.execute(select(ReviewItem))).scalars()
            return sorted((i.queue, i.reason, i.stripe_object_id) for i in items)


def lines_total(lines: list[tuple[str, int, str]]) -> str:
    return str(sum(Decimal(price) * qty for _, qty, price in lines))


@asynccontextmanager
async def harness(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    mapping: MappingConfig | None = None,
    wrap_transport: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
) -> AsyncIterator[Harness]:
    """Both sandboxes, a migrated SQLite database and job deps; `mapping` replaces the shipped
    mapping, `wrap_transport` wraps the in-process transport to P21 (fault shaping)."""
    for key in ("STRIPE_P21_DATABASE_URL", "STRIPE_API_KEY", "STRIPE_API_BASE"):
        monkeypatch.delenv(key, raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path}/sync.db"
    monkeypatch.setenv("STRIPE_P21_DATABASE_URL", url)
    monkeypatch.setenv("STRIPE_P21_LOG_LEVEL", "WARNING")
    await asyncio.to_thread(upgrade, url)
    settings = Settings(env_file=None)
    box = StripeSandbox(SandboxConfig(seed=5))
    server = serve_in_thread(create_app(box))
    p21_app = create_p21_app()
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=p21_app)  # type: ignore[arg-type]
    if wrap_transport is not None:
        transport = wrap_transport(transport)
    engine = create_engine(settings.db)
    p21 = P21Client(
        "http://p21.test", username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD,
        transport=transport, retry_backoff=0.01,
    )  # fmt: skip
    stripe = StripeClientGateway(API_KEY, api_base=server.url, requests_per_second=1000)
    mapping = mapping or load_mapping()
    gateways = Gateways(settings, stripe=stripe, p21=p21, mapping=mapping)
    deps = JobDeps(
        sessions=session_factory(engine), settings=settings, registry=registry,
        queue=_NoQueue(), worker_id="harness", gateways=gateways,
    )  # fmt: skip
    try:
        async with p21:
            yield Harness(box, p21_app, p21, deps, mapping)
    finally:
        await stripe.aclose()
        await engine.dispose()
        server.stop()
        box.stop()
        p21_app.close()
