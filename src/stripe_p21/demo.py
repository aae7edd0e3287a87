"""`stripe-p21 demo`: the embedded service on loopback, fed first a few hand-made signed events
(a duplicate, a wrong secret, a stale update), then a week of a distributor's Stripe activity
delivered by the Stripe sandbox with duplicates and reordering — and the links to look at."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections import Counter
from contextlib import ExitStack
from typing import Any

import httpx
import msgspec
import uvicorn

from stripe_p21.app import create_app
from stripe_p21.auth.tokens import create_token
from stripe_p21.connectors.stripe.signature import sign
from stripe_p21.db.tables import TokenRole
from stripe_p21.runtime.inline import InlineRunner
from stripe_p21.sandbox.scenarios.generator import ScenarioSpec, generate
from stripe_p21.sandbox.scenarios.runner import local_sandbox, play
from stripe_p21.sandbox.scenarios.sinks import LocalSink
from stripe_p21.sandbox.stripe import DeliveryPolicy
from stripe_p21.settings import Settings

SANDBOX_PORT = int(os.environ.get("STRIPE_P21_DEMO_SANDBOX_PORT", "12111"))
SCENARIO_DAYS = 7


def sample_events(run: str, now: int) -> list[dict[str, Any]]:
    """A handful of realistic events: balances (USD and zero-decimal JPY) and types whose
    handlers arrive with the sync flows (stored and marked ignored, never dropped)."""

    def event(n: int, event_type: str, obj: dict[str, Any], dt: int) -> dict[str, Any]:
        return {
            "id": f"evt_demo{run}{n:03d}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": now - 60 + dt,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": obj},
        }

    balance_old = {
        "object": "balance",
        "livemode": False,
        "available": [{"amount": 120_000, "currency": "usd", "source_types": {"card": 120_000}}],
        "pending": [{"amount": 5_400, "currency": "usd", "source_types": {"card": 5_400}}],
    }
    balance_new = {
        **balance_old,
        "available": [
            {"amount": 245_075, "currency": "usd", "source_types": {"card": 245_075}},
            {"amount": 98_000, "currency": "jpy", "source_types": {"card": 98_000}},
        ],
    }
    charge = {
        "id": f"ch_demo{run}",
        "object": "charge",
        "amount": 125_000,
        "currency": "usd",
        "customer": f"cus_demo{run}",
        "metadata": {"p21_order_no": "1000123"},
        "paid": True,
        "status": "succeeded",
    }
    customer = {
        "id": f"cus_demo{run}",
        "object": "customer",
        "name": "Acme Plumbing Supply, Inc.",
        "email": "ap@acmeplumbing.example",
    }
    return [
        event(1, "balance.available", balance_new, 20),
        event(2, "balance.available", balance_old, 10),  # arrives late: stale, skipped
        event(3, "customer.created", customer, 0),
        event(4, "charge.succeeded", charge, 5),
    ]


async def _post(client: httpx.AsyncClient, body: bytes, secret: str) -> httpx.Response:
    headers = {"Stripe-Signature": sign(body, secret), "Content-Type": "application/json"}
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def run_demo(*, port: int = 8000, serve_forever: bool = True) -> int:
    """Run the demo; returns a process exit code."""
    os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_demo_" + secrets.token_hex(16))
    os.environ.setdefault("STRIPE_P21_LOG_LEVEL", "ERROR")
    os.environ.setdefault("STRIPE_API_BASE", f"http://127.0.0.1:{SANDBOX_PORT}")
    os.environ.setdefault("STRIPE_API_KEY", "sk_test_demo")
    settings = Settings()
    secret = settings.webhook.secrets()[0]
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            return 1
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        print("1. Hand-made deliveries")
        await _send_samples(client, secret)
        with ExitStack() as stack:
            print(f"\n2. A {SCENARIO_DAYS}-day scenario from the Stripe sandbox")
            sandbox_url = await _play_scenario(stack, f"{base}/webhooks/stripe", secret)
            if isinstance(app.state.services.queue, InlineRunner):
                await app.state.services.queue.join()
            token = await create_token(
                app.state.services.sessions, name="demo", role=TokenRole.ADMIN
            )
            await _summarise(client, token)
            _print_links(base, token, settings, sandbox_url)
            if serve_forever:
                print("Press Ctrl-C to stop.")
                await serving
                return 0
    server.should_exit = True
    await serving
    return 0


async def _send_samples(client: httpx.AsyncClient, secret: str) -> None:
    run = secrets.token_hex(3)
    for event in sample_events(run, int(time.time())):
        answer = await _post(client, msgspec.json.encode(event), secret)
        print(f"  {event['type']:<20} {event['id']}  → {answer.status_code} {answer.text}")
    dup = msgspec.json.encode(sample_events(run, int(time.time()))[2])
    print(f"  duplicate delivery            → {(await _post(client, dup, secret)).text}")
    bad = await _post(client, dup, "whsec_wrong")
    print(f"  wrong secret                  → {bad.status_code} {bad.text}")


async def _play_scenario(stack: ExitStack, target: str, secret: str) -> str:
    planned = generate(ScenarioSpec(seed=7, days=SCENARIO_DAYS))
    truth = planned.truth.write("var/scenario-truth.json")
    delivery = DeliveryPolicy(duplicate_rate=0.05, reorder_window=3, seed=7)
    local = stack.enter_context(local_sandbox(
        seed=7, start=planned.spec.start, targets=(target,), secret=secret,
        port=SANDBOX_PORT, delivery=delivery,
    ))  # fmt: skip
    events = await asyncio.to_thread(play, planned, LocalSink(local.box))
    await asyncio.to_thread(local.box.dispatcher.wait_idle, 120)
    attempts = local.box.dispatcher.attempts
    duplicates = sum(1 for attempt in attempts if attempt.duplicate)
    print(
        f"  {len(events)} events, {len(attempts)} deliveries ({duplicates} duplicates, "
        f"reordered within windows of 3); expected outcome → {truth}"
    )
    return str(local.url)


async def _summarise(client: httpx.AsyncClient, token: str) -> None:
    statuses: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get(
                "/api/events", params=params, headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
        statuses.update(f"{item['status']}" for item in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    print("\nInbox by status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print("  (handlers for payments, refunds, customers and payouts arrive with the sync flows;")
    print("   until then those events are stored and marked ignored with the reason, never lost)")


def _print_links(base: str, token: str, settings: Settings, sandbox_url: str) -> None:
    print(f"""
stripe-p21 is running in embedded mode (SQLite at {settings.db.database_url}).
  Events API     : {base}/api/events   (header  Authorization: Bearer {token})
  Metrics        : {base}/metrics
  Readiness      : {base}/readyz
  OpenAPI        : {base}/schema
  Stripe sandbox : {sandbox_url}/v1/events   (Authorization: Bearer sk_test_demo)
""")
