"""Webhook deliveries: signed as Stripe signs, retried on non-2xx, and the chaos options
(duplicates, reordering, delay) do what they say."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import stripe

from stripe_p21.sandbox.stripe import StripeSandbox, create_app, serve_in_thread
from stripe_p21.sandbox.stripe import shapes_risk as risk

from .conftest import API_KEY, WEBHOOK_SECRET, Receiver

MakeSandbox = Callable[..., StripeSandbox]


def _emit_payouts(box: StripeSandbox, count: int) -> list[str]:
    ids = []
    for index in range(count):
        payout = risk.payout(
            id=f"po_chaos{index:04d}", created=box.clock.timestamp(), amount=1000, currency="usd"
        )
        ids.append(box.emit_event("payout.paid", payout)["id"])
    return ids


def test_deliveries_verify_with_the_official_library(
    make_sandbox: MakeSandbox, receiver: Receiver
) -> None:
    box = make_sandbox()
    running = serve_in_thread(create_app(box))
    try:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": running.url})
        customer = client.v1.customers.create(params={"name": "Signed Co"})
        client.v1.customers.update(customer.id, params={"metadata": {"p21_customer_id": "77"}})
        assert box.dispatcher.wait_idle(5)
    finally:
        running.stop()
    events = []
    for delivery in receiver.received():
        header = delivery.headers["Stripe-Signature"]
        assert header.startswith("t=") and ",v1=" in header
        events.append(stripe.Webhook.construct_event(delivery.body, header, WEBHOOK_SECRET))
    assert [event.type for event in events] == ["customer.created", "customer.updated"]
    updated = events[1]
    assert updated.data.previous_attributes.to_dict() == {"metadata": {"p21_customer_id": None}}
    assert updated.api_version == box.config.api_version and updated.livemode is False
    assert updated.request.id.startswith("req_") and updated.request.idempotency_key
    assert updated.pending_webhooks == 1
    assert box.store.get(updated.id, "event")["pending_webhooks"] == 0  # type: ignore[index]


def test_non_2xx_is_retried_with_backoff_until_success(
    make_sandbox: MakeSandbox, receiver: Receiver
) -> None:
    answers: Counter[str] = Counter()

    def flaky(event: dict[str, Any]) -> int:
        answers[event["id"]] += 1
        return 500 if answers[event["id"]] <= 2 else 204

    receiver.status_for = flaky
    box = make_sandbox(retry_base_seconds=0.05, max_attempts=4)
    (event_id,) = _emit_payouts(box, 1)
    assert box.dispatcher.wait_idle(5)
    attempts = [a for a in box.dispatcher.attempts if a.event_id == event_id]
    assert [(a.attempt, a.status) for a in attempts] == [(1, 500), (2, 500), (3, 204)]
    gaps = [
        later.at - earlier.at
        for earlier, later in zip(receiver.received(), receiver.received()[1:], strict=False)
    ]
    assert gaps[1] > gaps[0] * 1.5  # exponential: 0.05 s then 0.1 s


def test_retries_are_bounded(make_sandbox: MakeSandbox, receiver: Receiver) -> None:
    receiver.status_for = lambda _event: 302
    box = make_sandbox(retry_base_seconds=0.01, max_attempts=3)
    _emit_payouts(box, 1)
    assert box.dispatcher.wait_idle(5)
    assert len(receiver.received()) == 3
    assert all(not attempt.ok for attempt in box.dispatcher.attempts)


def test_duplicate_rate_one_delivers_every_event_twice_byte_for_byte(
    make_sandbox: MakeSandbox, receiver: Receiver
) -> None:
    box = make_sandbox(duplicate_rate=1.0)
    ids = _emit_payouts(box, 3)
    assert box.dispatcher.wait_idle(5)
    assert Counter(receiver.event_ids()) == dict.fromkeys(ids, 2)
    bodies: dict[str, set[bytes]] = {}
    for delivery in receiver.received():
        bodies.setdefault(delivery.event["id"], set()).add(delivery.body)
    assert all(len(versions) == 1 for versions in bodies.values())
    assert all(box.store.get(i, "event")["pending_webhooks"] == 0 for i in ids)  # type: ignore[index]


def test_reorder_window_shuffles_only_within_groups(
    make_sandbox: MakeSandbox, receiver: Receiver
) -> None:
    box = make_sandbox(reorder_window=4, seed=3)
    ids = _emit_payouts(box, 8)
    assert box.dispatcher.wait_idle(5)
    got = receiver.event_ids()
    assert sorted(got) == sorted(ids) and got != ids
    assert set(got[:4]) == set(ids[:4]) and set(got[4:]) == set(ids[4:])


def test_in_order_without_chaos(make_sandbox: MakeSandbox, receiver: Receiver) -> None:
    box = make_sandbox()
    ids = _emit_payouts(box, 6)
    assert box.dispatcher.wait_idle(5)
    assert receiver.event_ids() == ids


def test_delay_spreads_deliveries(make_sandbox: MakeSandbox, receiver: Receiver) -> None:
    box = make_sandbox(max_delay_seconds=0.4, seed=11)
    started = time.monotonic()
    ids = _emit_payouts(box, 6)
    assert box.dispatcher.wait_idle(5)
    arrivals = [delivery.at - started for delivery in receiver.received()]
    assert sorted(receiver.event_ids()) == sorted(ids)
    assert max(arrivals) > 0.1 and max(arrivals) < 1.5
