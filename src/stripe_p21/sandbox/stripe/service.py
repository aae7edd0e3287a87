"""One running Stripe sandbox: configuration, store, clock, webhook dispatcher and faults.

Scenario generators and tests hold a `StripeSandbox` and call `store.put` / `emit_event` directly.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from stripe_p21.sandbox.stripe.clock import Clock
from stripe_p21.sandbox.stripe.delivery import WebhookDispatcher
from stripe_p21.sandbox.stripe.faults import FaultInjector
from stripe_p21.sandbox.stripe.ids import IdFactory
from stripe_p21.sandbox.stripe.signing import DeliveryPolicy, new_webhook_secret
from stripe_p21.sandbox.stripe.store import SANDBOX_API_VERSION, RequestInfo, SandboxStore

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Everything `stripe-p21 sandbox stripe` can be told on its command line."""

    db_path: str | Path = ":memory:"
    api_key: str | None = None
    """Only this key is accepted; None accepts any `sk_test_`/`rk_test_` key."""
    webhook_endpoints: tuple[str, ...] = ()
    webhook_secret: str | None = None
    """`whsec_…` used to sign deliveries; generated when endpoints are set and this is not."""
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    seed: int | None = None
    """Seed for object ids, so a scenario produces the same ids on every run."""
    requests_per_second: float | None = None
    """Answer 429 beyond this many requests per second (Stripe test mode allows 25)."""
    api_version: str = SANDBOX_API_VERSION


class StripeSandbox:
    """The sandbox's state and workers; the Litestar app is a thin layer over it."""

    def __init__(self, config: SandboxConfig | None = None, *, clock: Clock | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = clock or Clock()
        self.webhook_secret = self.config.webhook_secret or new_webhook_secret()
        self.store = SandboxStore(
            self.config.db_path,
            clock=self.clock,
            ids=IdFactory(self.config.seed),
            api_version=self.config.api_version,
            endpoint_count=len(self.config.webhook_endpoints),
        )
        self.faults = FaultInjector(self.config.requests_per_second)
        self.dispatcher = WebhookDispatcher(
            self.config.webhook_endpoints,
            self.webhook_secret,
            self.config.delivery,
            on_delivered=self.store.mark_delivered,
        )
        self.store.add_listener(self.dispatcher.enqueue)

    def start(self) -> None:
        """Start delivering webhooks."""
        if self.dispatcher.start():
            _log.info("sandbox.started", endpoints=self.config.webhook_endpoints)

    def stop(self) -> None:
        """Stop delivering webhooks and close the store."""
        self.dispatcher.stop()
        self.store.close()

    def emit_event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Store `obj` and send an event about it (the scenario generator's entry point)."""
        self.store.put(obj)
        return self.store.emit_event(event_type, obj, request=RequestInfo())

    def accepts_key(self, key: str) -> bool:
        """Whether `key` may call the API."""
        if self.config.api_key is not None:
            return hmac.compare_digest(key.encode(), self.config.api_key.encode())
        return key.startswith(("sk_test_", "rk_test_")) and len(key) > len("sk_test_")
