"""`stripe-p21 demo`: the embedded service on loopback, fed signed sample events, with a token
and the links a person opens next. Later issues swap the samples for the sandboxes' scenario."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from typing import Any

import httpx
import msgspec
import uvicorn

from stripe_p21.app import create_app
from stripe_p21.auth.tokens import create_token
from stripe_p21.connectors.stripe.signature import sign
from stripe_p21.db.tables import TokenRole
from stripe_p21.settings import Settings


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
    run = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for event in sample_events(run, int(time.time())):
            body = msgspec.json.encode(event)
            answer = await _post(client, body, secret)
            print(f"  {event['type']:<20} {event['id']}  → {answer.status_code} {answer.text}")
        dup = msgspec.json.encode(sample_events(run, int(time.time()))[2])
        print(f"  duplicate delivery            → {(await _post(client, dup, secret)).text}")
        bad = await _post(client, dup, "whsec_wrong")
        print(f"  wrong secret                  → {bad.status_code} {bad.text}")
        await asyncio.sleep(0.5)
        token = await create_token(
            app.state.services.sessions, name=f"demo-{run}", role=TokenRole.ADMIN
        )
        listing = await client.get(
            "/api/events", params={"limit": 10}, headers={"Authorization": f"Bearer {token}"}
        )
        print("\nInbox (newest first):")
        for item in listing.json()["data"]:
            note = item["outcome_note"] or ""
            print(f"  {item['id']:<22} {item['type']:<20} {item['status']:<10} {note}")
    print(f"""
stripe-p21 is running in embedded mode (SQLite at {settings.db.database_url}).
  Events API : {base}/api/events   (header  Authorization: Bearer {token})
  Metrics    : {base}/metrics
  Readiness  : {base}/readyz
  OpenAPI    : {base}/schema
""")
    if not serve_forever:
        server.should_exit = True
        await serving
        return 0
    print("Press Ctrl-C to stop.")
    await serving
    return 0
