"""`StripeClientGateway` against the sandbox: plain dicts, expansions, write-back, pagination,
typed errors, 429 / Retry-After handling and the bounded request rate."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stripe

from stripe_p21.connectors.stripe import (
    STRIPE_API_VERSION,
    StripeAuthError,
    StripeClientGateway,
    StripeNotFound,
    StripeRateLimited,
    StripeTransientError,
)
from stripe_p21.pipeline.errors import PermanentError, TransientError
from stripe_p21.sandbox.stripe import (
    Fault,
    SandboxConfig,
    StripeSandbox,
    create_app,
    serve_in_thread,
)
from stripe_p21.sandbox.stripe import shapes_payments as payments
from stripe_p21.sandbox.stripe import shapes_risk as risk
from stripe_p21.sandbox.stripe.store import SANDBOX_API_VERSION
from stripe_p21.settings import StripeSettings

from .conftest import API_KEY


class RecordingSleep:
    """Stands in for asyncio.sleep: remembers the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def gateway(api_base: str) -> AsyncIterator[StripeClientGateway]:
    gw = StripeClientGateway(API_KEY, api_base=api_base, max_network_retries=0)
    yield gw
    await gw.aclose()


def _paid_charge(client: stripe.StripeClient, amount: int = 4200) -> stripe.PaymentIntent:
    params = {
        "amount": amount,
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "confirm": True,
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def test_pinned_version_matches_the_library_and_the_sandbox() -> None:
    assert STRIPE_API_VERSION == stripe.api_version == SANDBOX_API_VERSION


async def test_retrievals_return_plain_dicts_with_useful_expansions(
    gateway: StripeClientGateway, client: stripe.StripeClient, sandbox: StripeSandbox
) -> None:
    intent = _paid_charge(client)
    fetched = await gateway.retrieve_payment_intent(intent.id)
    assert type(fetched) is dict
    charge = fetched["latest_charge"]
    assert charge["balance_transaction"]["fee"] == payments.processing_fee(4200, "usd")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 200})
    assert (await gateway.retrieve_refund(refund.id))["balance_transaction"]["amount"] == -200
    assert (await gateway.retrieve_charge(charge["id"], expand=[]))[
        "balance_transaction"
    ].startswith("txn_")
    now = sandbox.clock.timestamp()
    others = [
        risk.dispute(id="dp_gw1", created=now, amount=4200, currency="usd", charge=charge["id"]),
        risk.review(id="prv_gw1", created=now, charge=charge["id"]),
        risk.early_fraud_warning(id="issfr_gw1", created=now, charge=charge["id"]),
    ]
    for obj in others:
        sandbox.store.put(obj)
    assert (await gateway.retrieve_dispute("dp_gw1"))["charge"]["id"] == charge["id"]
    assert (await gateway.retrieve_review("prv_gw1"))["charge"]["amount"] == 4200
    assert (await gateway.retrieve_early_fraud_warning("issfr_gw1"))["charge"]["id"] == charge["id"]


async def test_update_metadata_writes_back_and_deletes(
    gateway: StripeClientGateway, client: stripe.StripeClient
) -> None:
    customer = client.v1.customers.create(params={"name": "Write Back", "metadata": {"old": "1"}})
    written = await gateway.update_metadata(
        "customer", customer.id, {"p21_customer_id": "C100", "old": None}, idempotency_key="wb-1"
    )
    assert written["metadata"] == {"p21_customer_id": "C100"}
    assert (await gateway.retrieve_customer(customer.id))["metadata"] == {"p21_customer_id": "C100"}


async def test_payout_balance_transactions_are_auto_paginated(
    gateway: StripeClientGateway, sandbox: StripeSandbox
) -> None:
    now = sandbox.clock.timestamp()
    sandbox.store.put(risk.payout(id="po_pages", created=now, amount=0, currency="usd"))
    ids = [f"txn_page{index:05d}" for index in range(230)]
    for index, txn_id in enumerate(ids):
        txn = payments.balance_transaction(
            id=txn_id, created=now - index, amount=100, currency="usd", source=f"ch_p{index}"
        )
        sandbox.store.put(txn, payout="po_pages")
    got = [txn["id"] async for txn in gateway.payout_balance_transactions("po_pages")]
    assert got == ids


async def test_events_since_filters_by_time_and_type(
    gateway: StripeClientGateway, sandbox: StripeSandbox
) -> None:
    start = datetime(2031, 1, 1, tzinfo=UTC)
    sandbox.clock.set(start)
    try:
        for index, kind in enumerate(["payout.paid", "payout.created", "payout.paid"]):
            sandbox.clock.advance(60)
            payout = risk.payout(
                id=f"po_since{index}", created=sandbox.clock.timestamp(), amount=1, currency="usd"
            )
            sandbox.emit_event(kind, payout)
        since = start + timedelta(seconds=61)
        events = [event async for event in gateway.events_since(since)]
        assert [event["data"]["object"]["id"] for event in events] == ["po_since2", "po_since1"]
        paid = [event async for event in gateway.events_since(start, types=["payout.paid"])]
        assert [event["data"]["object"]["id"] for event in paid] == ["po_since2", "po_since0"]
    finally:
        sandbox.clock = sandbox.store.clock = type(sandbox.clock)()


async def test_typed_permanent_errors(gateway: StripeClientGateway, api_base: str) -> None:
    with pytest.raises(StripeNotFound) as missing:
        await gateway.retrieve_invoice("in_missing")
    assert isinstance(missing.value, PermanentError)
    assert missing.value.status == 404 and missing.value.request_id
    live = StripeClientGateway("sk_live_wrong", api_base=api_base, max_network_retries=0)
    with pytest.raises(StripeAuthError) as denied:
        await live.retrieve_subscription("sub_x")
    assert "sk_live_wrong" not in str(denied.value)
    await live.aclose()


async def test_server_errors_and_network_failures_are_transient(
    gateway: StripeClientGateway, sandbox: StripeSandbox
) -> None:
    sandbox.faults.inject(Fault(status=503, times=1))
    with pytest.raises(StripeTransientError) as failed:
        await gateway.retrieve_payout("po_pages")
    assert isinstance(failed.value, TransientError) and failed.value.status == 503
    closed = StripeClientGateway(API_KEY, api_base="http://127.0.0.1:9", max_network_retries=0)
    with pytest.raises(StripeTransientError):
        await closed.retrieve_charge("ch_x")
    await closed.aclose()


async def test_429_waits_retry_after_then_succeeds(api_base: str, sandbox: StripeSandbox) -> None:
    sleep = RecordingSleep()
    gw = StripeClientGateway(API_KEY, api_base=api_base, max_network_retries=0, sleep=sleep)
    sandbox.store.put(risk.payout(id="po_429", created=1, amount=5, currency="usd"))
    sandbox.faults.inject(Fault(status=429, times=2, retry_after=7))
    assert (await gw.retrieve_payout("po_429"))["id"] == "po_429"
    assert sleep.waits == [7.0, 7.0]
    sandbox.faults.inject(Fault(status=429, times=2))
    await gw.retrieve_payout("po_429")
    assert sleep.waits[2:] == [0.5, 1.0]  # no Retry-After: exponential backoff
    await gw.aclose()


async def test_429_gives_up_with_stripe_rate_limited(api_base: str, sandbox: StripeSandbox) -> None:
    sleep = RecordingSleep()
    gw = StripeClientGateway(
        API_KEY, api_base=api_base, max_network_retries=0, sleep=sleep, max_rate_limit_retries=2
    )
    sandbox.faults.inject(Fault(status=429, times=3, retry_after=1))
    with pytest.raises(StripeRateLimited) as exhausted:
        await gw.retrieve_payout("po_429")
    assert exhausted.value.retry_after == 1.0 and len(sleep.waits) == 2
    sandbox.faults.inject(Fault(status=429, times=1, retry_after=3600))
    with pytest.raises(StripeRateLimited) as too_long:
        await gw.retrieve_payout("po_429")
    assert too_long.value.retry_after == 3600.0 and len(sleep.waits) == 2
    await gw.aclose()


async def test_request_rate_stays_under_stripe_test_mode_limit() -> None:
    limited = StripeSandbox(SandboxConfig(requests_per_second=25))
    running = serve_in_thread(create_app(config=limited.config))
    try:
        gw = StripeClientGateway(API_KEY, api_base=running.url, max_network_retries=0)
        started = time.monotonic()
        for _ in range(30):
            with pytest.raises(StripeNotFound):
                await gw.retrieve_charge("ch_none")
        elapsed = time.monotonic() - started
        await gw.aclose()
        assert elapsed >= 1.1  # 4 at once, then 26 more at 20/s
        raw = stripe.StripeClient(API_KEY, base_addresses={"api": running.url})
        with pytest.raises(stripe.RateLimitError):
            for _ in range(30):
                raw.v1.charges.list()
    finally:
        running.stop()
        limited.stop()


def test_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111/")
    gw = StripeClientGateway.from_settings(StripeSettings())
    assert gw.api_base == "http://127.0.0.1:12111/"
    monkeypatch.delenv("STRIPE_API_KEY")
    with pytest.raises(ValueError, match="STRIPE_API_KEY"):
        StripeClientGateway.from_settings(StripeSettings(_env_file=None))  # type: ignore[call-arg]


async def test_requests_are_pinned_and_timeouts_are_transient() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/ch_slow"):
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"id": "ch_ok", "object": "charge", "metadata": {}})

    gw = StripeClientGateway(
        API_KEY,
        api_base="https://stripe.example",
        max_network_retries=0,
        transport=httpx.MockTransport(answer),
    )
    try:
        assert await gw.retrieve_charge("ch_ok", expand=[]) == {
            "id": "ch_ok",
            "object": "charge",
            "metadata": {},
        }
        with pytest.raises(StripeTransientError):
            await gw.retrieve_charge("ch_slow")
    finally:
        await gw.aclose()
    assert seen[0].headers["Stripe-Version"] == STRIPE_API_VERSION
    assert seen[0].headers["Authorization"] == f"Bearer {API_KEY}"
    assert (
        str(seen[1].url)
        == "https://stripe.example/v1/charges/ch_slow?expand[0]=balance_transaction"
    )
