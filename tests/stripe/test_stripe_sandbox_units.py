"""Small pure pieces of the sandbox and gateway: form decoding (against stripe-python's own
encoder), currency exponents and fees, the simulated clock and the token bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from stripe_p21.connectors.stripe.ratelimit import TokenBucket
from stripe_p21.sandbox.stripe import SandboxConfig, StripeSandbox, api
from stripe_p21.sandbox.stripe.clock import Clock
from stripe_p21.sandbox.stripe.currency import amount_problem, exponent, processing_fee
from stripe_p21.sandbox.stripe.forms import FormError, as_bool, as_int, decode
from stripe_p21.sandbox.stripe.ids import IdFactory
from stripe_p21.sandbox.stripe.mutations import OpContext
from stripe_p21.sandbox.stripe.store import RequestInfo, SandboxStore

_keys = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
_leaf = _text.filter(lambda value: value != "")
_params = st.dictionaries(
    _keys,
    st.one_of(
        _leaf,
        st.lists(_leaf, min_size=1, max_size=4),
        st.dictionaries(_keys, _leaf, min_size=1, max_size=4),
    ),
    max_size=6,
)


@given(_params)
def test_decode_inverts_stripe_pythons_encoder(params: dict[str, Any]) -> None:
    wire = urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")
    assert decode(wire) == params


def test_decode_accepts_curl_style_arrays_and_nested_lists() -> None:
    decoded = decode("expand[]=a&expand[]=b&items[0][price]=p1&items[1][price]=p2&metadata[0]=x")
    assert decoded == {
        "expand": ["a", "b"],
        "items": [{"price": "p1"}, {"price": "p2"}],
        "metadata": {"0": "x"},
    }
    with pytest.raises(FormError):
        decode("a]b=1")


def test_scalar_coercions() -> None:
    assert as_int({"amount": "1099"}, "amount") == 1099
    assert as_bool({"confirm": "true"}, "confirm") is True
    with pytest.raises(FormError):
        as_int({"amount": "10.5"}, "amount")
    with pytest.raises(FormError):
        as_bool({"confirm": "yes"}, "confirm")


@pytest.mark.parametrize(
    ("currency", "digits", "amount", "fee"),
    [
        ("usd", 2, 10_000, 320),
        ("JPY", 0, 10_000, 290),
        ("kwd", 3, 10_000, 590),
        ("bhd", 3, 500, 320),
    ],
)
def test_currency_exponents_and_fees(currency: str, digits: int, amount: int, fee: int) -> None:
    assert exponent(currency) == digits
    assert processing_fee(amount, currency) == fee


def test_amount_rules() -> None:
    assert amount_problem(49, "usd") is not None and amount_problem(50, "usd") is None
    assert amount_problem(49, "jpy") is not None and amount_problem(50, "jpy") is None
    assert amount_problem(1_005, "kwd") is not None and amount_problem(1_010, "kwd") is None


def test_clock_follows_wall_time_until_set_then_moves_only_when_told() -> None:
    clock = Clock()
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 1
    clock.advance(timedelta(days=1))
    assert clock.now() - datetime.now(UTC) > timedelta(hours=23)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    clock.set(start)
    assert clock.now() == start and clock.timestamp() == int(start.timestamp())
    assert clock.advance(90) == start + timedelta(seconds=90)
    with pytest.raises(ValueError, match="timezone"):
        clock.set(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def test_seeded_ids_repeat_and_carry_stripe_prefixes() -> None:
    first, second = IdFactory(7), IdFactory(7)
    ids = [first.for_object(kind) for kind in ("charge", "customer", "radar.early_fraud_warning")]
    assert ids == [
        second.for_object(kind) for kind in ("charge", "customer", "radar.early_fraud_warning")
    ]
    assert ids[0].startswith("ch_") and len(ids[0]) == 27
    assert ids[1].startswith("cus_") and ids[2].startswith("issfr_")


class FakeTime:
    """A monotonic clock that only moves when the bucket sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_token_bucket_bounds_the_rate() -> None:
    fake = FakeTime()
    bucket = TokenBucket(20.0, monotonic=fake.monotonic, sleep=fake.sleep)
    assert bucket.capacity == 4
    for _ in range(104):
        await bucket.acquire()
    assert fake.now == pytest.approx(5.0)  # 4 at once, then 100 at 20/s


async def test_token_bucket_pause_spends_the_budget() -> None:
    fake = FakeTime()
    bucket = TokenBucket(10.0, burst=10, monotonic=fake.monotonic, sleep=fake.sleep)
    bucket.pause(2.0)
    await bucket.acquire()
    assert fake.now == pytest.approx(2.1)


def test_store_file_survives_a_restart_and_keeps_list_order(tmp_path: Path) -> None:
    path = tmp_path / "stripe.db"
    first = SandboxStore(path)
    for index in range(3):
        first.put({"id": f"cus_keep{index}", "object": "customer", "created": 100})
    event = first.emit_event("customer.created", {"id": "cus_keep0", "object": "customer"})
    first.close()
    again = SandboxStore(path)
    page = again.list("customer", limit=2)
    assert [obj["id"] for obj in page.data] == ["cus_keep2", "cus_keep1"] and page.has_more
    assert again.get(event["id"], "event") == event
    again.put({"id": "cus_keep3", "object": "customer", "created": 100})
    assert again.list("customer", limit=1).data[0]["id"] == "cus_keep3"
    again.close()


def _run_business(box: StripeSandbox) -> list[tuple[str, str, int]]:
    ctx = OpContext(box.store, RequestInfo())
    customer = api.handle(ctx, "POST", "/v1/customers", {"name": "Seeded"})
    paid = {"amount": "700", "currency": "jpy", "customer": customer["id"], "confirm": "true"}
    intent = api.handle(
        ctx, "POST", "/v1/payment_intents", {**paid, "payment_method": "pm_card_visa"}
    )
    box.clock.advance(30)
    api.handle(ctx, "POST", "/v1/refunds", {"payment_intent": intent["id"], "amount": "200"})
    events = api.handle(ctx, "GET", "/v1/events", {"limit": "100"})["data"]
    return [(event["id"], event["type"], event["created"]) for event in events]


def test_same_seed_and_start_time_give_the_same_ids_and_events() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    runs = []
    for _ in range(2):
        box = StripeSandbox(SandboxConfig(seed=5), clock=Clock(start))
        runs.append(_run_business(box))
        box.stop()
    assert runs[0] == runs[1] and len(runs[0]) == 6
    assert runs[0][0][2] == int(start.timestamp()) + 30
