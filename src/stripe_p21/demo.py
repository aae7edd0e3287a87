"""`stripe-p21 demo`: the embedded service with both sandboxes on loopback, a month of a
distributor's Stripe activity delivered signed, duplicated and reordered, the P21 documents it
produced compared with the scenario's ground truth — and the links to look at.

`--check` does the same without staying up and exits non-zero on any difference."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import msgspec
import uvicorn

from stripe_p21.app import create_app
from stripe_p21.auth.tokens import create_token
from stripe_p21.connectors.stripe.signature import sign
from stripe_p21.db.tables import StripeEvent, TokenRole
from stripe_p21.ingest.sweeper import sweep
from stripe_p21.runtime.inline import InlineRunner
from stripe_p21.runtime.services import Services
from stripe_p21.sandbox.p21.app import SandboxApp
from stripe_p21.sandbox.p21.app import create_app as create_p21_app
from stripe_p21.sandbox.p21.config import DEFAULT_PASSWORD, DEFAULT_USERNAME, SandboxConfig
from stripe_p21.sandbox.scenarios.generator import Scenario, ScenarioSpec, generate
from stripe_p21.sandbox.scenarios.runner import local_sandbox, play
from stripe_p21.sandbox.scenarios.sinks import LocalSink
from stripe_p21.sandbox.stripe import DeliveryPolicy
from stripe_p21.sandbox.threaded import ThreadedServer
from stripe_p21.settings import Settings
from stripe_p21.sync_check import CheckResult, check, p21_state_of, summarise

SANDBOX_PORT = int(os.environ.get("STRIPE_P21_DEMO_SANDBOX_PORT", "12111"))
P21_PORT = int(os.environ.get("STRIPE_P21_DEMO_P21_PORT", "8021"))
DEMO_DIR = Path("var/demo")
TERMINAL = frozenset({"processed", "ignored", "needs_review", "dead"})


def sample_events(run: str, now: int) -> list[dict[str, Any]]:
    """Two balance updates (USD and zero-decimal JPY), the older one arriving late."""

    def event(n: int, obj: dict[str, Any], dt: int) -> dict[str, Any]:
        return {
            "id": f"evt_demo{run}{n:03d}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": now - 60 + dt,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": "balance.available",
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
    return [event(1, balance_new, 20), event(2, balance_old, 10)]


def _environment(days: int) -> None:
    """Embedded defaults for the demo; anything already set in the environment wins."""
    defaults = {
        "STRIPE_WEBHOOK_SECRET": "whsec_demo_" + secrets.token_hex(16),
        "STRIPE_P21_LOG_LEVEL": "ERROR",
        "STRIPE_P21_DATABASE_URL": f"sqlite+aiosqlite:///{DEMO_DIR}/stripe_p21.db",
        "STRIPE_API_BASE": f"http://127.0.0.1:{SANDBOX_PORT}",
        "STRIPE_API_KEY": "sk_test_demo",
        "P21_BASE_URL": f"http://127.0.0.1:{P21_PORT}",
        "P21_USERNAME": DEFAULT_USERNAME,
        "P21_PASSWORD": DEFAULT_PASSWORD,
        # Reordered deliveries make some events wait for others: retry within seconds.
        "STRIPE_P21_RETRY_BASE_SECONDS": "0.5",
        "STRIPE_P21_RETRY_CAP_SECONDS": "4",
        "STRIPE_P21_MAX_ATTEMPTS": "12",
        "STRIPE_P21_SWEEP_GRACE_SECONDS": "2",
        "STRIPE_P21_SWEEP_INTERVAL_SECONDS": "1",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    if days <= 0:
        raise ValueError("--days must be positive")
    shutil.rmtree(DEMO_DIR, ignore_errors=True)  # the demo's own database and P21 sandbox
    DEMO_DIR.mkdir(parents=True, exist_ok=True)


async def run_demo(
    *, port: int = 8000, serve_forever: bool = True, check_only: bool = False,
    days: int = 30, seed: int = 7,
) -> int:  # fmt: skip
    """Run the demo; returns a process exit code (1 when the truth check finds differences)."""
    _environment(days)
    settings = Settings()
    secret = settings.webhook.secrets()[0]
    planned = generate(ScenarioSpec(seed=seed, days=days))
    p21_config = SandboxConfig(
        db_path=str(DEMO_DIR / "p21-sandbox.db"), today=planned.spec.start.date()
    )
    p21_app = create_p21_app(p21_config)
    p21_server = ThreadedServer(p21_app, P21_PORT).start()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                return 1
            await asyncio.sleep(0.05)
        forever = serve_forever and not check_only
        return await _run(app.state.services, settings, secret, port, p21_app, p21_server,
                          serving, planned, serve_forever=forever)  # fmt: skip
    finally:
        server.should_exit = True
        await serving
        p21_server.stop()
        p21_app.close()


async def _run(
    services: Services, settings: Settings, secret: str, port: int, p21_app: SandboxApp,
    p21_server: ThreadedServer, serving: asyncio.Task[None], planned: Scenario, *,
    serve_forever: bool,
) -> int:  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        print("1. Hand-made deliveries")
        await _send_samples(client, secret)
        with ExitStack() as stack:
            days = planned.spec.days
            print(f"\n2. {days} days of a distributor's Stripe activity, from the Stripe sandbox")
            sandbox_url = await _play_scenario(stack, planned, f"{base}/webhooks/stripe", secret)
            started = time.monotonic()
            await _settle(services, within=600)
            print(f"  all events settled {time.monotonic() - started:.1f}s after the last delivery")
            state = await asyncio.to_thread(p21_state_of, p21_app.sandbox)
            summary = await summarise(p21_state=state, sessions=services.sessions)
            print("\n3. What happened\n  " + "\n  ".join(summary.lines()))
            result = await check(planned.truth.as_json(), p21_state=state,
                                 sessions=services.sessions)  # fmt: skip
            _print_check(result)
            token = await create_token(services.sessions, name="demo", role=TokenRole.ADMIN)
            # Now, not at settling: write-backs to Stripe bring `*.updated` events meanwhile.
            statuses = await _statuses(services)
            _print_links(base, token, settings, sandbox_url, p21_server.url, statuses)
            if serve_forever:
                print("Press Ctrl-C to stop.")
                await serving
            return 0 if result.ok else 1
    return 0


async def _send_samples(client: httpx.AsyncClient, secret: str) -> None:
    run = secrets.token_hex(3)
    events = sample_events(run, int(time.time()))
    for event in events:
        answer = await _post(client, msgspec.json.encode(event), secret)
        print(f"  {event['type']:<20} {event['id']}  → {answer.status_code} {answer.text}")
    dup = msgspec.json.encode(events[0])
    print(f"  duplicate delivery            → {(await _post(client, dup, secret)).text}")
    bad = await _post(client, dup, "whsec_wrong")
    print(f"  wrong secret                  → {bad.status_code} {bad.text}")


async def _post(client: httpx.AsyncClient, body: bytes, secret: str) -> httpx.Response:
    headers = {"Stripe-Signature": sign(body, secret), "Content-Type": "application/json"}
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def _play_scenario(stack: ExitStack, planned: Scenario, target: str, secret: str) -> str:
    truth = planned.truth.write("var/scenario-truth.json")
    delivery = DeliveryPolicy(duplicate_rate=0.05, reorder_window=3, seed=planned.spec.seed)
    local = stack.enter_context(local_sandbox(
        seed=planned.spec.seed, start=planned.spec.start, targets=(target,), secret=secret,
        port=SANDBOX_PORT, delivery=delivery,
    ))  # fmt: skip
    events = await asyncio.to_thread(play, planned, LocalSink(local.box))
    await asyncio.to_thread(local.box.dispatcher.wait_idle, 300)
    attempts = local.box.dispatcher.attempts
    duplicates = sum(1 for attempt in attempts if attempt.duplicate)
    print(
        f"  {len(events)} events, {len(attempts)} deliveries ({duplicates} duplicates, "
        f"reordered within windows of 3); expected outcome → {truth}"
    )
    return str(local.url)


async def _statuses(services: Services) -> dict[str, int]:
    """Stored events by status."""
    from sqlalchemy import func, select

    status: Any = StripeEvent.status
    async with services.sessions() as session:
        rows = (await session.execute(select(status, func.count()).group_by(status))).all()
    return {str(s): int(n) for s, n in rows}


async def _settle(services: Services, *, within: float) -> dict[str, int]:
    """Wait until every stored event is terminal (retries of reordered events included)."""
    deadline = time.monotonic() + within
    while True:
        if isinstance(services.queue, InlineRunner):
            await services.queue.join()
        counts = await _statuses(services)
        if all(s in TERMINAL for s in counts) or time.monotonic() > deadline:
            return counts
        await sweep(services)
        await asyncio.sleep(0.5)


def _print_check(result: CheckResult) -> None:
    if result.ok:
        print("\n4. P21 and the review queue match the scenario's ground truth exactly.")
        return
    print(f"\n4. Differences from the ground truth ({len(result.differences)}):")
    print("  " + result.summary().replace("\n", "\n  "))


def _print_links(
    base: str, token: str, settings: Settings, sandbox_url: str, p21_url: str,
    statuses: dict[str, int],
) -> None:  # fmt: skip
    inbox = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    print(f"""
stripe-p21 is running in embedded mode (SQLite at {settings.db.database_url}).
  Inbox          : {inbox}
  Review items   : {base}/api/review-items   (header  Authorization: Bearer {token})
  Events API     : {base}/api/events
  Reconciliation : {base}/api/reconciliation/payouts
  Metrics        : {base}/metrics
  OpenAPI        : {base}/schema
  P21 sandbox    : {p21_url}/sandbox/state   (what P21 now holds)
  Stripe sandbox : {sandbox_url}/v1/events   (Authorization: Bearer sk_test_demo)
""")
