"""The JSON API (bearer tokens, roles, filters, cursor pages, replay) and the operations
endpoints, on both backends."""

from __future__ import annotations

import pytest

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from tests.support.factories import effect_event, stripe_event
from tests.support.stack import Stack


async def _token(stack: Stack, role: TokenRole) -> dict[str, str]:
    token = await create_token(stack.services.sessions, name=f"test-{role}", role=role)
    return {"Authorization": f"Bearer {token}"}


async def test_api_needs_a_valid_bearer_token(stack: Stack) -> None:
    assert (await stack.client.get("/api/events")).status_code == 401
    bad = {"Authorization": "Bearer sp21_not-a-real-token"}
    assert (await stack.client.get("/api/events", headers=bad)).status_code == 401
    viewer = await _token(stack, TokenRole.VIEWER)
    answer = await stack.client.get("/api/events", headers=viewer)
    assert answer.status_code == 200, answer.text


async def test_list_filters_and_cursor_pages(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    ids = []
    for n in range(5):
        event = stripe_event("customer.created" if n % 2 else "invoice.paid")
        ids.append(event["id"])
        await stack.post_event(event)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await stack.client.get("/api/events", params=params, headers=viewer)).json()
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    only = await stack.client.get(
        "/api/events", params={"type": "customer.created"}, headers=viewer
    )
    assert {item["type"] for item in only.json()["data"]} == {"customer.created"}
    assert len(only.json()["data"]) == 2
    future = await stack.client.get(
        "/api/events", params={"since": "2999-01-01T00:00:00Z"}, headers=viewer
    )
    assert future.json()["data"] == []
    naive = await stack.client.get(
        "/api/events", params={"since": "2026-01-01T00:00:00"}, headers=viewer
    )
    assert naive.status_code == 400
    bad_cursor = await stack.client.get("/api/events", params={"cursor": "!!"}, headers=viewer)
    assert bad_cursor.status_code == 400


async def test_detail_shows_payload_and_attempts_and_replay_needs_reviewer(stack: Stack) -> None:
    event = effect_event(fail_until_attempt=1)
    await stack.post_event(event)
    await stack.settle(event["id"])
    viewer = await _token(stack, TokenRole.VIEWER)
    detail = (await stack.client.get(f"/api/events/{event['id']}", headers=viewer)).json()
    assert detail["payload"]["id"] == event["id"]
    assert [a["outcome"] for a in detail["attempt_log"]] == ["failed", "processed"]
    assert detail["attempt_log"][0]["error_class"] == "TransientError"

    replay_url = f"/api/events/{event['id']}/replay"
    assert (await stack.client.post(replay_url, headers=viewer)).status_code == 403
    reviewer = await _token(stack, TokenRole.REVIEWER)
    answer = await stack.client.post(replay_url, headers=reviewer)
    assert answer.status_code == 202
    assert answer.json()["status"] == "received"
    again = await stack.settle(event["id"])
    assert again.status == "processed"
    assert await stack.effects(event["id"]) == 2  # replay runs the handler again, on purpose
    missing = await stack.client.post("/api/events/evt_nope/replay", headers=reviewer)
    assert missing.status_code == 404
    assert (await stack.client.get("/api/events/evt_nope", headers=viewer)).status_code == 404


async def test_healthz_readyz_metrics_and_schema(stack: Stack) -> None:
    assert (await stack.client.get("/healthz")).json() == {"status": "ok"}
    ready = (await stack.client.get("/readyz")).json()
    assert ready["ready"] is True
    assert ready["checks"]["database"] == "ok" and ready["checks"]["migrations"] == "ok"
    assert ("redis" in ready["checks"]) == (stack.kind == "postgres-arq")
    stored = 'stripe_p21_events_received_total{outcome="stored",type="test.effect"}'
    before = _value((await stack.client.get("/metrics")).text, stored)
    event = effect_event(fail_until_attempt=99, fail_kind="permanent")
    await stack.post_event(event)
    await stack.settle(event["id"])
    text = (await stack.client.get("/metrics")).text
    assert _value(text, stored) == before + 1
    assert _value(text, 'stripe_p21_events{status="needs_review"}') == 1
    for name in (
        "stripe_p21_ingest_seconds_bucket",
        "stripe_p21_due_retries",
        "stripe_p21_dead_events",
    ):
        assert name in text
    if stack.kind == "sqlite-inline":  # jobs run in this process only with the inline runner
        assert 'stripe_p21_job_seconds_count{type="test.effect"}' in text
    schema = (await stack.client.get("/schema/openapi.json")).json()
    assert "/webhooks/stripe" in schema["paths"] and "/api/events" in schema["paths"]


@pytest.mark.parametrize("role", list(TokenRole))
async def test_every_role_can_read(stack: Stack, role: TokenRole) -> None:
    headers = await _token(stack, role)
    assert (await stack.client.get("/api/events", headers=headers)).status_code == 200


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
