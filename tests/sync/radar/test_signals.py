"""Pure Radar decisions: the order signal of a review by its close reason, of an early fraud
warning, and the order state all signals of a charge add up to; the official shapes parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_p21.pipeline.sync.radar import desired_state, review_signal, warning_signal

FIXTURES = Path("/work/shared/stripe/fixtures3.json")


@pytest.mark.parametrize(
    ("reason", "signal", "item"),
    [("approved", "clear", None), ("refunded", "cancel", None),
     ("refunded_as_fraud", "cancel", None), ("disputed", "defer", None),
     ("redacted", "hold", "redacted"), ("canceled", "hold", "canceled"),
     ("payment_never_settled", "hold", "payment_never_settled"),
     ("acknowledged", "hold", "acknowledged"), ("brand_new_reason", "hold", "brand_new_reason")],
)  # fmt: skip
def test_review_close_reasons(reason: str, signal: str, item: str | None) -> None:
    review = {"open": False, "closed_reason": reason, "reason": reason}
    assert review_signal(review) == (signal, item)


def test_an_open_review_holds() -> None:
    assert review_signal({"open": True, "reason": "rule"}) == ("hold", None)


def test_early_fraud_warning_cancels_only_once_refunded() -> None:
    refunded = {"amount_refunded": 100, "refunded": True}
    assert warning_signal({"actionable": True}, refunded) == "clear"
    assert warning_signal({"actionable": False}, refunded) == "cancel"
    assert warning_signal({"actionable": False}, {"amount_refunded": 0}) == "clear"


def test_desired_state_examples() -> None:
    assert desired_state({}) == "open"
    assert desired_state({"prv_1": "hold"}) == "held"
    assert desired_state({"prv_1": "clear"}) == "open"
    assert desired_state({"prv_1": "defer"}) == "held"
    assert desired_state({"prv_1": "defer", "dp_1": "clear"}) == "open"
    assert desired_state({"prv_1": "defer", "dp_1": "cancel"}) == "cancelled"
    assert desired_state({"prv_1": "clear", "dp_1": "hold"}) == "held"


signals = st.dictionaries(
    st.sampled_from(["prv_a", "prv_b", "issfr_a", "dp_a", "dp_b"]),
    st.sampled_from(["hold", "clear", "cancel", "defer"]),
)


@given(signals, signals)
def test_state_does_not_depend_on_arrival_order(a: dict[str, str], b: dict[str, str]) -> None:
    """Signals are per object; merging them in either order gives the same state."""
    merged_ab = {**a, **b}
    merged_ba = {**b, **a}
    if all(a[k] == b[k] for k in a.keys() & b.keys()):
        assert desired_state(merged_ab) == desired_state(merged_ba)
    if "cancel" in a.values() and not (a.keys() & b.keys()):
        assert desired_state(merged_ab) == "cancelled"


def _fixture(name: str) -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return dict(resources[name])


def test_fixture_shapes_parse() -> None:
    review = _fixture("review")
    assert review_signal(review) == ("hold", None)
    closed = {**review, "open": False}
    assert review_signal(closed)[0] == "hold"  # `reason: "reason"` is unknown: a person looks
    warning = _fixture("radar.early_fraud_warning")
    assert warning_signal(warning, _fixture("charge")) == "clear"
