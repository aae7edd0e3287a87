"""Contract tests: every client capability against the sandbox over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from stripe_p21.connectors.p21 import (
    CustomerChanges,
    P21Client,
    P21Gateway,
    P21NotFound,
    P21TransientError,
    Payment,
)

from .conftest import LiveSandbox, make_client
from .factories import customer_draft, order_draft


def test_the_client_satisfies_the_gateway_protocol(live_client: P21Client) -> None:
    assert isinstance(live_client, P21Gateway)


async def test_customer_lookups_and_updates(live_client: P21Client) -> None:
    seeded = await live_client.get_customer(100003)
    assert seeded.key == "ACME_100003" and seeded.email
    by_email = await live_client.find_customers_by_email(seeded.email.upper())
    assert seeded.customer_id in [c.customer_id for c in by_email]
    by_name = await live_client.find_customers_by_name(seeded.name[:6])
    assert all(c.name.lower().startswith(seeded.name[:6].lower()) for c in by_name)
    assert await live_client.find_customer(999) is None

    created = await live_client.create_customer(customer_draft("Keystone Valve & Supply Co."))
    updated = await live_client.update_customer(
        created.customer_id, CustomerChanges(credit_limit=Decimal("30000.00"), terms_id="NET45")
    )
    assert updated.credit_limit == Decimal("30000.00") and updated.terms_id == "NET45"
    assert updated.email == created.email


async def test_customers_modified_since_pages_until_a_short_page(live_client: P21Client) -> None:
    since = datetime.now(UTC) - timedelta(days=400)
    rows = [row async for row in live_client.customers_modified_since(since, page_size=25)]
    assert len(rows) == len({r.customer_id for r in rows}) > 50
    assert all(r.modified is not None and r.modified > since for r in rows)
    moments = [r.modified for r in rows]
    assert moments == sorted(moments)  # type: ignore[type-var]


async def test_order_lifecycle(live_client: P21Client) -> None:
    draft = order_draft()
    ref = await live_client.create_order(draft)
    await live_client.add_payment(ref.order_no, Payment("25.00", "ch_second"))
    await live_client.hold_order(ref.order_no)
    assert not (await live_client.get_order(ref.order_no)).approved
    await live_client.release_order(ref.order_no)
    await live_client.cancel_order(ref.order_no)
    order = await live_client.get_order(ref.order_no)
    assert order.approved and order.cancelled and order.po_no == draft.po_no
    assert [line.extended_price for line in order.lines] == [Decimal("125.00"), Decimal("25.00")]
    assert len(order.raw["Payments"]["list"]) == 2
    with pytest.raises(P21NotFound):
        await live_client.get_order("9999999")


async def test_items_and_periods(live_client: P21Client) -> None:
    widget = await live_client.get_item("WIDGET-001")
    assert widget.price == Decimal("25.00")
    found = await live_client.find_items(
        ["WIDGET-001", "FAST-0002", "NOPE"] + [f"BRG-{n:04d}" for n in range(1, 40)]
    )
    assert "NOPE" not in found and len(found) == 41
    periods = await live_client.list_open_periods()
    assert periods and not any(p.closed for p in periods)
    assert await live_client.list_open_periods(year=periods[-1].year)


@pytest.mark.parametrize(
    "options",
    [
        {"xml_tokens": True},
        {"expires_field": "ExpiresInSeconds"},
        {"token_v2": False},
        {"single_session": True},
    ],
)
async def test_token_variants(
    live_factory: Callable[..., LiveSandbox], options: dict[str, object]
) -> None:
    sandbox = live_factory(**options)
    async with make_client(sandbox.base_url) as client:
        assert (await client.get_item("WIDGET-001")).item_id == "WIDGET-001"
        assert client.tokens.requests == 1


async def test_consumer_key_login(live: LiveSandbox) -> None:
    async with P21Client(live.base_url, client_secret="sandbox-consumer-key") as client:
        assert (await client.get_customer(100001)).company_id == "ACME"
        assert (await client.ui_url()) == f"{live.base_url}/uiserver0"


async def test_outage_reads_retry_then_surface_as_transient(live: LiveSandbox) -> None:
    live.faults.add_outage(0, 30)
    async with make_client(live.base_url, read_attempts=2) as client:
        with pytest.raises(P21TransientError):
            await client.get_item("WIDGET-001")


async def test_latency_and_jitter_apply(live: LiveSandbox) -> None:
    import time

    live.faults.latency_ms, live.faults.jitter_ms = 50, 10
    async with make_client(live.base_url) as client:
        started = time.perf_counter()
        await client.get_item("WIDGET-001")
        await client.get_item("WIDGET-001")
        assert time.perf_counter() - started >= 0.1
