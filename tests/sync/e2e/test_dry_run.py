"""`replay --dry-run`: the handler runs with the current mapping against the real sandboxes,
reads pass through, writes are recorded, the database transaction is rolled back — P21, Stripe
and our tables are untouched — and the commands are compared with what was written."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from stripe_p21.cli import main
from stripe_p21.connectors.p21.once import create_order_once
from stripe_p21.connectors.p21.schemas import OrderDraft, OrderLine, Payment
from stripe_p21.db.tables import ObjectWatermark, StripeEvent
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.dryrun import dry_run, dry_run_with_services
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.pipeline.sync.links import find_link, record_link
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.pipeline.watermark import advance
from tests.support.sync_stack import SyncStack, SyncStackFactory


def _order_handler(quantity: int) -> HandlerRegistry:
    """A small handler shaped like the order flow: link? → lookup by po_no → create → link →
    write back. `quantity` plays the part of a mapping change."""
    registry = HandlerRegistry()

    @registry.handles("charge.succeeded")
    async def handle(ctx: HandlerContext) -> str | None:
        charge = await ctx.stripe.retrieve_charge(str(ctx.object["id"]))
        async with ctx.sessions() as session, session.begin():
            if await find_link(session, charge["id"], "order") is not None:
                return "already synced"
        draft = OrderDraft(
            customer_id=100001,
            po_no=charge["id"],
            lines=(OrderLine("WIDGET-001", quantity, Decimal("10.00")),),
            payment=Payment(Decimal("10.00") * quantity, charge["id"]),
        )
        result = await create_order_once(ctx.p21, draft)
        async with ctx.sessions() as session, session.begin():
            await advance(
                session,
                object_id=charge["id"],
                object_type="charge",
                created=ctx.created,
                event_id=ctx.event.id,
            )
            await record_link(
                session,
                stripe_object_id=charge["id"],
                stripe_object_type="charge",
                kind="order",
                p21_document_no=result.order.order_no,
                mapping_version=ctx.mapping.version,
                event_id=ctx.event.id,
            )
        await ctx.stripe.update_metadata(
            "charge", charge["id"], {"p21_order_no": result.order.order_no}
        )
        return None

    return registry


async def _counts(s: SyncStack) -> tuple[int, int, int, int]:
    state = await s.p21_state()
    async with s.services.sessions() as session:
        links = (await session.execute(select(func.count()).select_from(SyncLink))).scalar_one()
        marks = (
            await session.execute(select(func.count()).select_from(ObjectWatermark))
        ).scalar_one()
    return len(state["orders"]), len(state["payments"]), int(links), int(marks)


async def _charge_event(s: SyncStack) -> StripeEvent:
    async with s.services.sessions() as session:
        stmt = select(StripeEvent).where(StripeEvent.type == "charge.succeeded")  # type: ignore[arg-type]
        events = list((await session.execute(stmt.order_by(StripeEvent.created))).scalars())  # type: ignore[arg-type]
    assert events
    return events[0]


async def _run(s: SyncStack, registry: HandlerRegistry, event_id: str, **kw: Any) -> Any:
    gateways = s.services.gateways
    assert gateways is not None
    return await dry_run(
        s.settings,
        event_id,
        registry=registry,
        stripe=gateways.stripe,
        p21=gateways.p21,
        mapping=gateways.mapping,
        **kw,
    )


async def test_dry_run_records_commands_and_writes_nothing(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        await s.play(days=1, seed=5)
        await s.settle_all(within=120)
        event = await _charge_event(s)
        charge_id = json.loads(event.payload)["data"]["object"]["id"]
        before = await _counts(s)
        result = await _run(s, _order_handler(2), event.id)
        assert [c.method for c in result.commands] == ["create_order", "update_metadata"]
        assert result.commands[0].args["draft"].po_no == charge_id
        assert result.outcome == "processed"
        assert [link["p21_document_no"] for link in result.would_link] == ["DRY-1"]
        assert await _counts(s) == before, "a dry run wrote to P21 or to our tables"
        text = result.text()
        assert "p21.create_order" in text and "stripe.update_metadata" in text
        assert "would record order DRY-1" in text
        again = await _run(s, _order_handler(2), event.id)
        assert again.as_json()["commands"] == result.as_json()["commands"], "repeatable"


async def test_dry_run_diffs_against_a_real_document(sync_stack_factory: SyncStackFactory) -> None:
    async with sync_stack_factory() as s:
        await s.play(days=1, seed=5)
        await s.settle_all(within=120)
        event = await _charge_event(s)
        # What an older mapping wrote: an order for the charge, recorded with version old-1.
        gateways = s.services.gateways
        assert gateways is not None
        charge_id = json.loads(event.payload)["data"]["object"]["id"]
        async with s.services.sessions() as session, session.begin():
            for link in (await session.execute(select(SyncLink))).scalars():
                await session.delete(link)
        po = f"{charge_id}-toy"
        made = await create_order_once(
            gateways.p21,
            OrderDraft(
                customer_id=100001, po_no=po, lines=(OrderLine("WIDGET-001", 2, Decimal("10.00")),)
            ),
        )
        async with s.services.sessions() as session, session.begin():
            await record_link(
                session,
                stripe_object_id=charge_id,
                stripe_object_type="charge",
                kind="order",
                p21_document_no=made.order.order_no,
                mapping_version="old-1",
                event_id=event.id,
            )
        changed = await _run(s, _order_handler(3), event.id)
        assert changed.written and changed.written[0]["p21_document_no"] == made.order.order_no
        joined = "\n".join(changed.differences)
        assert "mapping old-1" in joined
        assert "WIDGET-001 x2" in joined and "WIDGET-001 x3" in joined


async def test_cli_dry_run_on_a_real_flow_changes_nothing(
    sync_stack_factory: SyncStackFactory,
) -> None:
    async with sync_stack_factory() as s:
        await s.play(days=1, seed=5)
        await s.settle_all(within=120)
        event = await _charge_event(s)
        before = await _counts(s)
        result = await dry_run_with_services(s.services, event.id)
        assert result.event_type == "charge.succeeded"
        assert any(c.system == "p21" for c in result.commands), result.text()
        answer = await asyncio.to_thread(
            CliRunner().invoke, main, ["replay", "--dry-run", "--id", event.id]
        )
        assert answer.exit_code == 0, answer.output
        assert "Commands the current mapping would send" in answer.output
        unknown = await asyncio.to_thread(
            CliRunner().invoke, main, ["replay", "--dry-run", "--id", "evt_nope"]
        )
        assert unknown.exit_code == 1
        assert await _counts(s) == before
