"""The client's error mapping, retries and auth, against recorded sandbox answers."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from stripe_p21.connectors.p21 import (
    P21AuthError,
    P21Client,
    P21NotFound,
    P21OutcomeUnknown,
    P21RejectedError,
    P21TransientError,
    Period,
)

from .factories import order_draft, payout_entry
from .replay import ROUTER, TOKEN, TRANSACTION, Replay, basic_routes, recorded

CUSTOMER = "GET /api/entity/customers/ACME_100001"


def client_for(replay: Replay, **options: object) -> P21Client:
    defaults: dict[str, object] = {"username": "api_user", "password": "p21-sandbox"}
    defaults.update(retry_backoff=0.0, **options)
    return P21Client("http://p21.test", transport=replay.transport, **defaults)  # type: ignore[arg-type]


async def test_passed_transaction_returns_the_new_order_number() -> None:
    replay = Replay(basic_routes(**{TRANSACTION: recorded("transaction_passed")}))
    async with client_for(replay) as p21:
        order = await p21.create_order(order_draft())
    assert order.order_no.isdigit() and len(order.order_no) == 7
    assert replay.calls[ROUTER] == 1


async def test_http_200_with_failed_is_rejected_with_p21_message() -> None:
    replay = Replay(basic_routes(**{TRANSACTION: recorded("transaction_failed_item")}))
    async with client_for(replay) as p21:
        with pytest.raises(P21RejectedError) as caught:
            await p21.create_order(order_draft())
    assert caught.value.messages == ("Transaction 1:: Item ID NOPE-404 does not exist",)
    assert replay.calls[TRANSACTION] == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (recorded("session_pool"), P21TransientError),
        (httpx.Response(503), P21TransientError),
        (httpx.Response(502), P21OutcomeUnknown),
        (httpx.Response(504), P21OutcomeUnknown),
        (httpx.ReadTimeout("timed out"), P21OutcomeUnknown),
        (httpx.RemoteProtocolError("peer closed"), P21OutcomeUnknown),
        (httpx.ConnectError("refused"), P21TransientError),
        (recorded("transaction_content_required"), P21RejectedError),
        (httpx.Response(500), P21RejectedError),
    ],
)
async def test_writes_are_never_retried(answer: object, error: type[Exception]) -> None:
    replay = Replay(basic_routes(**{TRANSACTION: answer}))  # type: ignore[arg-type]
    async with client_for(replay) as p21:
        with pytest.raises(error):
            await p21.create_order(order_draft())
    assert replay.calls[TRANSACTION] == 1


async def test_reads_are_retried_on_transient_failures() -> None:
    answers = [httpx.ReadTimeout("slow"), httpx.Response(503), recorded("customer")]
    replay = Replay(basic_routes(**{CUSTOMER: answers}))
    async with client_for(replay) as p21:
        customer = await p21.get_customer(100001)
    assert customer.customer_id == 100001
    assert replay.calls[CUSTOMER] == 3


async def test_reads_give_up_after_the_configured_attempts() -> None:
    replay = Replay(basic_routes(**{CUSTOMER: httpx.Response(503)}))
    async with client_for(replay, read_attempts=2) as p21:
        with pytest.raises(P21TransientError):
            await p21.get_customer(100001)
    assert replay.calls[CUSTOMER] == 2


async def test_rest_envelopes_and_not_found() -> None:
    replay = Replay(
        basic_routes(
            **{
                "POST /api/accounting/gl/": recorded("gl_unbalanced"),
                "GET /api/entity/customers/ACME_42": recorded("customer_not_found"),
                "GET /odataservice/odata/table/oe_hdr": recorded("odata_unknown_column"),
            }
        )
    )
    async with client_for(replay) as p21:
        with pytest.raises(P21RejectedError, match=r"^Records do not balance") as caught:
            await p21.post_journal_entry(payout_entry(Period(2026, 11, False)))
        assert caught.value.status_code == 500
        assert await p21.find_customer(42) is None
        with pytest.raises(P21NotFound, match="po_number"):
            await p21.find_orders_by_reference("ch_1")


async def test_401_renews_the_token_once_then_gives_up() -> None:
    unauthorized = httpx.Response(
        401, json={"ErrorMessage": "You are not authorized to access API"}
    )
    replay = Replay(basic_routes(**{CUSTOMER: [unauthorized, recorded("customer")]}))
    async with client_for(replay) as p21:
        assert (await p21.get_customer(100001)).customer_id == 100001
    assert replay.calls[TOKEN] == 2

    replay = Replay(basic_routes(**{CUSTOMER: unauthorized}))
    async with client_for(replay) as p21:
        with pytest.raises(P21AuthError, match="not authorized"):
            await p21.get_customer(100001)
    assert replay.calls[TOKEN] == 2 and replay.calls[CUSTOMER] == 2


@pytest.mark.parametrize("token", ["token_json", "token_xml", "token_expires_in_seconds"])
async def test_token_answers_in_every_shape(token: str) -> None:
    replay = Replay(basic_routes(**{TOKEN: recorded(token), CUSTOMER: recorded("customer")}))
    async with client_for(replay) as p21:
        await p21.get_customer(100001)
        held = p21.tokens._token
    assert held is not None and held.lifetime == 86400
    assert replay.requests[-1].headers["Authorization"] == f"Bearer {held.value}"


async def test_legacy_token_fallback_uses_headers() -> None:
    legacy = "POST /api/security/token"
    replay = Replay(
        basic_routes(
            **{
                TOKEN: httpx.Response(404),
                legacy: recorded("token_json"),
                CUSTOMER: recorded("customer"),
            }
        )
    )
    async with client_for(replay) as p21:
        await p21.get_customer(100001)
        await p21.tokens.renew(p21.tokens._token.value, p21._http._raw)  # type: ignore[union-attr]
    sent = [r for r in replay.requests if r.url.path == "/api/security/token"]
    assert len(sent) == 2 and sent[0].headers["username"] == "api_user"
    assert replay.calls[TOKEN] == 1  # v2 is not asked again once known missing


async def test_consumer_key_grant_body() -> None:
    replay = Replay(basic_routes(**{CUSTOMER: recorded("customer")}))
    async with P21Client(
        "http://p21.test", client_secret="sandbox-consumer-key", transport=replay.transport
    ) as p21:
        await p21.get_customer(100001)
    body = replay.requests[0].read()
    assert b'"GrantType":"client_credentials"' in body and b"sandbox-consumer-key" in body


async def test_bad_credentials_are_an_auth_error() -> None:
    refused = httpx.Response(401, json={"ErrorMessage": "The user name or password is incorrect."})
    replay = Replay(basic_routes(**{TOKEN: refused}))
    async with client_for(replay) as p21:
        with pytest.raises(P21AuthError, match="incorrect"):
            await p21.get_customer(100001)


async def test_concurrency_is_bounded_per_host() -> None:
    active = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        if request.url.path.startswith("/api/security/token"):
            return recorded("token_json")
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1
        return httpx.Response(200, json={"ItemId": "WIDGET-001", "Price1": 25.0})

    async with P21Client(
        "http://p21.test",
        username="u",
        password="p",
        max_concurrency=3,
        transport=httpx.MockTransport(slow),
    ) as p21:
        items = await asyncio.gather(*(p21.get_item("WIDGET-001") for _ in range(20)))
    assert len(items) == 20 and peak == 3


class RecordingLog:
    """Stands in for the module's structlog logger, whatever the global structlog config is."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []

    def _record(self, event: str, **fields: object) -> None:
        self.events.append({"event": event, **fields})

    info = warning = error = debug = _record


async def test_logs_never_carry_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from stripe_p21.connectors.p21 import auth, http

    recording = RecordingLog()
    monkeypatch.setattr(http, "log", recording)
    monkeypatch.setattr(auth, "log", recording)
    replay = Replay(basic_routes(**{TRANSACTION: recorded("transaction_passed")}))
    async with client_for(replay, password="s3cret-pass") as p21:
        await p21.create_order(order_draft())
    token = recorded("token_json").json()["AccessToken"]
    text = repr(recording.events)
    assert "s3cret-pass" not in text and token not in text and "Bearer" not in text
    assert [e["path"] for e in recording.events] == [
        "/api/security/token/v2",
        "/api/ui/router/v1/",
        "/uiserver0/api/v2/transaction",
    ]
    assert {"method", "path", "status", "duration_ms"} <= set(recording.events[-1])


def test_floats_are_refused_for_money() -> None:
    from stripe_p21.connectors.p21.schemas import format_amount

    with pytest.raises(TypeError):
        format_amount(1.1)  # type: ignore[arg-type]
    assert format_amount(Decimal("125")) == "125.00"
    assert format_amount("0.125") == "0.125"
