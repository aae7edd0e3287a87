"""Pure pieces: registry, remote address, envelope parsing, balance mapping (snapshot)."""

from __future__ import annotations

import ipaddress
import time

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.connectors.stripe.signature import SignatureError, sign, verify_signature
from stripe_p21.ingest.envelope import EnvelopeError, parse_event
from stripe_p21.ingest.remote import parse_networks, remote_address
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.handlers.balance import balance_by_currency
from stripe_p21.pipeline.registry import DuplicateHandlerError, HandlerRegistry
from tests.support.factories import balance_event, encode


def test_registering_a_type_twice_fails() -> None:
    registry = HandlerRegistry()

    @registry.handles("charge.succeeded", "payment_intent.succeeded")
    async def first(_ctx: object) -> None:
        return None

    with pytest.raises(DuplicateHandlerError, match=r"charge\.succeeded"):

        @registry.handles("charge.succeeded")
        async def second(_ctx: object) -> None:
            return None

    assert registry.types() == ["charge.succeeded", "payment_intent.succeeded"]


def test_remote_address_believes_only_trusted_proxies() -> None:
    trusted = parse_networks(["10.0.0.0/8", "127.0.0.1"])
    chain = "198.51.100.7, 10.1.2.3"
    assert remote_address("10.9.9.9", chain, trusted) == "198.51.100.7"
    assert remote_address("203.0.113.5", chain, trusted) == "203.0.113.5"
    assert remote_address("10.9.9.9", None, trusted) == "10.9.9.9"
    assert remote_address("10.9.9.9", chain, []) == "10.9.9.9"
    assert isinstance(trusted[0], ipaddress.IPv4Network)


def test_signature_checks_both_directions_and_any_secret() -> None:
    body = b'{"id":"evt_1"}'
    now = int(time.time())
    header = sign(body, "whsec_b", timestamp=now)
    verify_signature(body, header, ["whsec_a", "whsec_b"], now=now)
    for skew, problem in ((301, "timestamp_too_old"), (-301, "timestamp_in_future")):
        with pytest.raises(SignatureError) as caught:
            verify_signature(body, header, ["whsec_b"], now=now + skew)
        assert caught.value.problem.value == problem
    with pytest.raises(SignatureError) as caught:
        verify_signature(body, header, [], now=now)
    assert caught.value.problem.value == "webhook_secret_not_configured"


def test_envelope_keeps_raw_body_and_utc_created() -> None:
    event = balance_event({"usd": 100}, created=1_764_000_000)
    envelope = parse_event(encode(event))
    assert envelope.raw == encode(event).decode()
    assert envelope.created.isoformat() == "2025-11-24T16:00:00+00:00"
    with pytest.raises(EnvelopeError) as caught:
        parse_event(encode({**event, "created": "yesterday"}))
    assert caught.value.reason == "not_a_stripe_event"


def test_balance_mapping_sums_per_currency_in_minor_units(snapshot: SnapshotAssertion) -> None:
    balance = {
        "object": "balance",
        "available": [
            {"amount": 245_075, "currency": "usd"},
            {"amount": 98_000, "currency": "jpy"},  # zero-decimal: ¥98,000
            {"amount": 12_345, "currency": "kwd"},  # three-decimal: 12.345 KWD
            {"amount": -1_000, "currency": "usd"},
        ],
        "pending": [{"amount": 5_400, "currency": "USD"}],
    }
    assert balance_by_currency(balance) == snapshot


def test_balance_mapping_refuses_fractional_amounts() -> None:
    with pytest.raises(PermanentError):
        balance_by_currency({"available": [{"amount": 1.5, "currency": "usd"}]})
