"""Delivers sandbox events to webhook endpoints from a background thread, as Stripe would:
signed, retried with backoff on any non-2xx, and optionally duplicated, reordered and delayed."""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from stripe_p21.sandbox.stripe.signing import DeliveryPolicy, signature_header

_log = structlog.get_logger(__name__)


@dataclass(order=True, slots=True)
class _Delivery:
    due: float
    seq: int
    event_id: str = field(compare=False)
    body: bytes = field(compare=False)
    endpoint: str = field(compare=False)
    attempt: int = field(compare=False, default=1)
    duplicate: bool = field(compare=False, default=False)


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST to an endpoint, kept for inspection (tests, the CLI's summary)."""

    event_id: str
    endpoint: str
    attempt: int
    status: int | None
    duplicate: bool
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDispatcher:
    """A thread that turns events into signed deliveries following a `DeliveryPolicy`."""

    def __init__(
        self,
        endpoints: Sequence[str],
        secret: str,
        policy: DeliveryPolicy | None = None,
        *,
        on_delivered: Callable[[str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoints = list(endpoints)
        self.policy = policy or DeliveryPolicy()
        self.attempts: deque[DeliveryAttempt] = deque(maxlen=100_000)
        self._secret = secret
        self._on_delivered = on_delivered
        self._rng = random.Random(self.policy.seed)  # noqa: S311 - chaos, not security
        self._cond = threading.Condition()
        self._incoming: list[tuple[float, str, bytes]] = []
        self._scheduled: list[_Delivery] = []
        self._seq = itertools.count()
        self._busy = False
        self._acknowledged: set[tuple[str, str]] = set()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._transport = transport
        self._client: httpx.Client | None = None

    def enqueue(self, event: dict[str, Any]) -> None:
        """Queue an event for every endpoint (called by the store for each new event)."""
        if not self.endpoints:
            return
        body = json.dumps(event, indent=2).encode("utf-8")
        with self._cond:
            self._incoming.append((time.monotonic(), str(event["id"]), body))
            self._cond.notify_all()

    def start(self) -> bool:
        """Start the delivery thread; False when it was already running."""
        with self._cond:
            if self._thread is not None:
                return False
            self._stopping = False
            self._client = httpx.Client(
                timeout=self.policy.timeout_seconds, transport=self._transport
            )
            self._thread = threading.Thread(target=self._run, name="stripe-sandbox-webhooks")
            self._thread.daemon = True
            self._thread.start()
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread; deliveries still queued are dropped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        if self._client is not None:
            self._client.close()
            self._client = None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, scheduled or in flight; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._incoming or self._scheduled or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                self._release_window(time.monotonic())
                delivery = self._next_due(time.monotonic())
                if delivery is None:
                    self._cond.wait(self._sleep_for(time.monotonic()))
                    continue
                self._busy = True
            try:
                self._send(delivery)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _release_window(self, now: float) -> None:
        """Move incoming events to the schedule once a reorder group is full or has lingered."""
        window = self.policy.reorder_window
        if not self._incoming:
            return
        full = len(self._incoming) >= window
        lingered = now - self._incoming[0][0] >= self.policy.reorder_linger_seconds
        if not (full or lingered or window == 1):
            return
        group, self._incoming = self._incoming[:window], self._incoming[window:]
        if window > 1:
            self._rng.shuffle(group)
        for _, event_id, body in group:
            self._schedule_event(now, event_id, body)

    def _schedule_event(self, now: float, event_id: str, body: bytes) -> None:
        copies = 2 if self._rng.random() < self.policy.duplicate_rate else 1
        for copy_index in range(copies):
            for endpoint in self.endpoints:
                delay = self._rng.uniform(0, self.policy.max_delay_seconds)
                item = _Delivery(
                    now + delay, next(self._seq), event_id, body, endpoint, 1, copy_index > 0
                )
                heapq.heappush(self._scheduled, item)

    def _next_due(self, now: float) -> _Delivery | None:
        if self._scheduled and self._scheduled[0].due <= now:
            return heapq.heappop(self._scheduled)
        return None

    def _sleep_for(self, now: float) -> float:
        waits = [1.0]
        if self._scheduled:
            waits.append(self._scheduled[0].due - now)
        if self._incoming:
            waits.append(self._incoming[0][0] + self.policy.reorder_linger_seconds - now)
        return max(0.001, min(waits))

    def _send(self, delivery: _Delivery) -> None:
        status, error = self._post(delivery)
        attempt = DeliveryAttempt(
            delivery.event_id,
            delivery.endpoint,
            delivery.attempt,
            status,
            delivery.duplicate,
            error,
        )
        self.attempts.append(attempt)
        _log.info(
            "sandbox.webhook_attempt",
            event_id=delivery.event_id,
            endpoint=delivery.endpoint,
            attempt=delivery.attempt,
            status=status,
            duplicate=delivery.duplicate,
        )
        if attempt.ok:
            self._acknowledge(delivery)
        elif delivery.attempt < self.policy.max_attempts:
            self._retry_later(delivery)

    def _post(self, delivery: _Delivery) -> tuple[int | None, str | None]:
        header = signature_header(delivery.body, self._secret, int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": header,
        }
        if self._client is None:
            return None, "stopped"
        try:
            response = self._client.post(delivery.endpoint, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, None

    def _acknowledge(self, delivery: _Delivery) -> None:
        key = (delivery.event_id, delivery.endpoint)
        with self._cond:
            first = key not in self._acknowledged
            self._acknowledged.add(key)
        if first and self._on_delivered is not None:
            self._on_delivered(delivery.event_id)

    def _retry_later(self, delivery: _Delivery) -> None:
        wait = self.policy.retry_delay(delivery.attempt)
        retry = _Delivery(
            time.monotonic() + wait, next(self._seq), delivery.event_id, delivery.body,
            delivery.endpoint, delivery.attempt + 1, delivery.duplicate,
        )  # fmt: skip
        with self._cond:
            heapq.heappush(self._scheduled, retry)
