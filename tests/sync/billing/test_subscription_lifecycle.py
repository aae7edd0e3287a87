"""A late `customer.subscription.updated` cannot bring a deleted subscription back: the
watermark drops it, and a cancelled subscription link is terminal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from stripe_p21.connectors.p21.schemas import CustomerChanges
from stripe_p21.db.engine import create_engine, session_factory
from stripe_p21.db.migrate import upgrade
from stripe_p21.db.tables import StripeEvent
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.pipeline.sync.billing import sync_subscription
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.sandbox.stripe import shapes_billing
from stripe_p21.settings import Settings


class FakeStripe:
    def __init__(self) -> None:
        self.subscription = shapes_billing.subscription(
            id="sub_test", created=1, customer="cus_test", currency="usd", items=[]
        )

    async def retrieve_subscription(self, _: str, **__: Any) -> dict[str, Any]:
        return self.subscription


class FakeP21:
    def __init__(self) -> None:
        self.updates: list[tuple[str, CustomerChanges]] = []

    async def update_customer(self, customer_id: str, changes: CustomerChanges) -> None:
        self.updates.append((customer_id, changes))


async def test_stale_update_never_resurrects(tmp_path: Path, monkeypatch: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/db.sqlite"
    monkeypatch.setenv("STRIPE_P21_DATABASE_URL", url)
    await asyncio.to_thread(upgrade, url)
    settings = Settings(env_file=None)
    engine = create_engine(settings.db)
    sessions = session_factory(engine)
    stripe, p21 = FakeStripe(), FakeP21()
    gateways = Gateways(settings, stripe=stripe, p21=p21,  # type: ignore[arg-type]
                        mapping=load_mapping("config/mapping.yaml"))  # fmt: skip
    async with sessions() as session, session.begin():
        await record_link(
            session, stripe_object_id="cus_test", stripe_object_type="customer",
            kind="customer", p21_document_no="100018", mapping_version="t",
        )  # fmt: skip

    def ctx(event_id: str, kind: str, at: int) -> HandlerContext:
        event = StripeEvent(id=event_id, type=f"customer.subscription.{kind}", payload="{}",
                            created=datetime.fromtimestamp(at, UTC),
                            received_at=datetime.now(UTC))  # fmt: skip
        return HandlerContext(event, {}, sessions, settings, structlog.get_logger(), gateways)

    assert await sync_subscription(ctx("evt_created", "created", 100), "sub_test") is None
    stripe.subscription = stripe.subscription | {"status": "canceled", "canceled_at": 300}
    assert await sync_subscription(ctx("evt_deleted", "deleted", 300), "sub_test") is None
    stale = await sync_subscription(ctx("evt_updated_late", "updated", 200), "sub_test")
    assert stale is not None and stale.startswith("stale")
    stripe.subscription = stripe.subscription | {"status": "active"}  # a wrong or odd re-fetch
    later = await sync_subscription(ctx("evt_updated_after", "updated", 400), "sub_test")
    assert later is not None and "cancelled already" in later
    async with sessions() as session:
        link = await find_link(session, "sub_test", "subscription")
    assert link is not None and link.status == "cancelled"
    assert [c.extra["Notes"].split(":")[1].split(";")[0].strip() for _, c in p21.updates] == [
        "active", "canceled"]  # fmt: skip
    await engine.dispose()
