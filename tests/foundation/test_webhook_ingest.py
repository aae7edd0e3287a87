"""POST /webhooks/stripe on both backends: store once, answer fast, refuse bad deliveries."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import StackFactory
from tests.support.factories import effect_event, encode, stripe_event
from tests.support.stack import Stack


async def test_signed_event_is_stored_once_and_processed(stack: Stack) -> None:
    event = effect_event()
    answer = await stack.post_event(event)
    assert answer.status_code == 200
    assert answer.json() == {"received": True, "event_id": event["id"]}
    stored = await stack.settle(event["id"])
    assert stored.status == "processed"
    assert stored.type == "test.effect"
    assert stored.payload == encode(event).decode()
    assert stored.created.tzinfo is not None
    assert await stack.effects(event["id"]) == 1
    assert await stack.count_events() == 1


async def test_twenty_concurrent_deliveries_store_one_row_and_process_once(stack: Stack) -> None:
    event = effect_event()
    body = encode(event)
    answers = await asyncio.gather(*(stack.post_event(body) for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    duplicates = [a for a in answers if a.json().get("duplicate")]
    assert len(duplicates) == 19
    await stack.settle(event["id"])
    await stack.run_jobs()
    assert await stack.count_events() == 1
    assert await stack.effects(event["id"]) == 1
    stored = await stack.event(event["id"])
    assert stored is not None and stored.attempts == 1


async def test_event_without_handler_is_ignored_with_reason(stack: Stack) -> None:
    event = stripe_event("issuing_card.created", {"id": "ic_1", "object": "issuing.card"})
    assert (await stack.post_event(event)).status_code == 200
    stored = await stack.settle(event["id"])
    assert stored.status == "ignored"
    assert stored.outcome_note == "no handler registered for 'issuing_card.created'"


async def test_either_rotated_secret_is_accepted(stack_factory: StackFactory) -> None:
    old, new = "whsec_old_secret_aaaaaaaa", "whsec_new_secret_bbbbbbbb"
    async with stack_factory(STRIPE_WEBHOOK_SECRET=f"{old}, {new}") as stack:
        first, second = stripe_event("a.b"), stripe_event("a.b")
        assert (await stack.post_event(first, secret=old)).status_code == 200
        assert (await stack.post_event(second, secret=new)).status_code == 200
        assert (
            await stack.post_event(stripe_event("a.b"), secret="whsec_other")
        ).status_code == 400
        assert await stack.count_events() == 2


BAD_DELIVERIES = {
    "wrong secret": (dict(secret="whsec_wrong_secret_zzzzzz"), 400, "signature_mismatch"),
    "stale timestamp": (dict(timestamp=int(time.time()) - 301), 400, "timestamp_too_old"),
    "ten minutes ahead": (dict(timestamp=int(time.time()) + 600), 400, "timestamp_in_future"),
    "missing header": (dict(headers={"Stripe-Signature": ""}), 400, "missing_signature_header"),
    "malformed header": (
        dict(headers={"Stripe-Signature": "sig=abc"}),
        400,
        "malformed_signature_header",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DELIVERIES))
async def test_bad_signature_is_refused_counted_and_recorded(stack: Stack, case: str) -> None:
    options, status, reason = BAD_DELIVERIES[case]
    answer = await stack.post_event(effect_event(), **options)  # type: ignore[arg-type]
    assert answer.status_code == status
    assert answer.json()["reason"] == reason
    assert answer.json()["received"] is False
    await _assert_refused(stack, reason)


async def test_tampered_body_is_refused(stack: Stack) -> None:
    event = effect_event()
    body = encode(event)
    from stripe_p21.connectors.stripe.signature import sign

    header = sign(body, "whsec_test_primary_0123456789abcdef")
    tampered = body.replace(b'"livemode":false', b'"livemode":true')
    answer = await stack.client.post(
        "/webhooks/stripe", content=tampered, headers={"Stripe-Signature": header}
    )
    assert answer.status_code == 400
    assert answer.json()["reason"] == "signature_mismatch"
    await _assert_refused(stack, "signature_mismatch")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2, 3]", "not_a_stripe_event"),
        (b'{"object": "charge", "id": "ch_1"}', "not_a_stripe_event"),
        (
            b'{"id": "evt_thin", "object": "v2.core.event", '
            b'"type": "v1.billing.meter.no_meter_found"}',
            "thin_event_unsupported",
        ),
    ],
)
async def test_signed_but_unusable_bodies_are_refused(
    stack: Stack, body: bytes, reason: str
) -> None:
    answer = await stack.post_event(body)
    assert answer.status_code == 400
    assert answer.json()["reason"] == reason
    if reason == "thin_event_unsupported":
        assert "not supported yet" in answer.json()["message"]
    await _assert_refused(stack, reason)


async def test_two_mebibyte_body_gets_413(stack: Stack) -> None:
    event = stripe_event("a.b", {"blob": "x" * (2 * 1024 * 1024)})
    answer = await stack.post_event(event)
    assert answer.status_code == 413
    assert answer.json()["reason"] == "body_too_large"
    await _assert_refused(stack, "body_too_large")


async def test_chunked_body_over_the_limit_gets_413_and_stores_nothing(stack: Stack) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(64):
            yield b"x" * 65536

    answer = await stack.client.post(
        "/webhooks/stripe", content=chunks(), headers={"Stripe-Signature": "t=1,v1=ab"}
    )
    assert answer.status_code == 413
    assert answer.json()["reason"] == "body_too_large"
    assert await stack.count_events() == 0


async def _assert_refused(stack: Stack, reason: str) -> None:
    assert await stack.count_events() == 0
    metrics = (await stack.client.get("/metrics")).text
    assert f'stripe_p21_webhook_rejected_total{{reason="{reason}"}}' in metrics
    from sqlalchemy import select

    from stripe_p21.db.tables import WebhookRejection

    async with stack.services.sessions() as session:
        rows = list((await session.execute(select(WebhookRejection))).scalars())
    assert [row.reason for row in rows] == [reason]
    assert rows[0].remote_addr == "203.0.113.9"
    assert "stripe-signature" in rows[0].header_names.split(",")
    assert rows[0].body_bytes > 0
