"""Fixtures for the Stripe sandbox and gateway tests: one sandbox served by uvicorn on loopback
for the whole session, and a small webhook receiver that records what it is sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from stripe_p21.sandbox.stripe import (
    DeliveryPolicy,
    RunningServer,
    SandboxConfig,
    StripeSandbox,
    create_app,
    serve_in_thread,
)

API_KEY = "sk_test_sandbox_suite"
WEBHOOK_SECRET = "whsec_test_suite_secret_0123456789"


@dataclass
class Delivery:
    """One POST the receiver got."""

    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """A webhook endpoint on loopback; `status_for(event)` decides each answer (default 200)."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    status_for: Callable[[dict[str, Any]], int] = lambda _event: 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)

    def event_ids(self) -> list[str]:
        return [delivery.event["id"] for delivery in self.received()]

    def clear(self) -> None:
        with self.lock:
            self.deliveries.clear()


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            delivery = Delivery(dict(self.headers.items()), body)
            with receiver.lock:
                receiver.deliveries.append(delivery)
            self.send_response(receiver.status_for(delivery.event))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A fresh webhook receiver for one test."""
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def make_sandbox(receiver: Receiver) -> Iterator[Callable[..., StripeSandbox]]:
    """Build started sandboxes (no HTTP server) delivering to `receiver` with a given policy."""
    made: list[StripeSandbox] = []

    def make(**policy: Any) -> StripeSandbox:
        config = SandboxConfig(
            webhook_endpoints=(receiver.url,),
            webhook_secret=WEBHOOK_SECRET,
            delivery=DeliveryPolicy(**policy),
            seed=7,
        )
        box = StripeSandbox(config)
        box.start()
        made.append(box)
        return box

    yield make
    for box in made:
        box.stop()


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[StripeSandbox, RunningServer]]:
    """One sandbox for the session, served on a free loopback port."""
    box = StripeSandbox(SandboxConfig(seed=42))
    running = serve_in_thread(create_app(box))
    yield box, running
    running.stop()


@pytest.fixture
def sandbox(served: tuple[StripeSandbox, RunningServer]) -> Iterator[StripeSandbox]:
    box = served[0]
    yield box
    box.faults.clear()


@pytest.fixture
def api_base(served: tuple[StripeSandbox, RunningServer]) -> str:
    return served[1].url


@pytest.fixture
def client(api_base: str) -> stripe.StripeClient:
    """The official library pointed at the sandbox, otherwise unchanged."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": api_base}, max_network_retries=0)
