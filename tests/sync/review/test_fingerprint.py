"""Fingerprints group identical problems: golden messages parameterised and hashed (snapshot,
reviewed in diffs), and the grouping properties that matter to a reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.review.fingerprint import STRATEGY, fingerprint, parameterise

GOLDEN = Path(__file__).parent / "golden" / "messages.txt"


def _messages() -> list[str]:
    lines = GOLDEN.read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_golden_messages_parameterise_and_fingerprint(snapshot: SnapshotAssertion) -> None:
    rendered = [
        {"message": m, "parameterised": parameterise(m), "fingerprint": fingerprint("sync", "x", m)}
        for m in _messages()
    ]
    assert rendered == snapshot


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Order 1042 for ch_3QxAbcDef123 is $12.50", "Order 1043 for ch_9ZzYyXx0987 is $7,001.10"),
        ("Customer ACME_100123 not found", "CUSTOMER ACME_100987 NOT found"),
        ("503 at 2026-11-03T10:15:00Z", "503 at 2026-11-04 08:00"),
        ("from a@b.com", "from PURCHASING@ELLISCONTROLS.COM"),
    ],
)
def test_the_same_problem_groups(first: str, second: str) -> None:
    assert fingerprint("sync", "r", first) == fingerprint("sync", "r", second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("refund_strategy is missing", "order_number is missing"),
        ("p21_order_no is missing", "p22_order_no is missing"),
        ("Item SAMPLE-PACK unknown", "Item SAMPLE-BOX unknown"),
    ],
)
def test_different_problems_do_not_group(first: str, second: str) -> None:
    assert fingerprint("sync", "r", first) != fingerprint("sync", "r", second)


def test_queue_reason_and_strategy_are_part_of_the_fingerprint() -> None:
    base = fingerprint("mapping", "unknown_item", "x")
    assert base.startswith(f"{STRATEGY}:") and len(base) == len(STRATEGY) + 17
    assert base != fingerprint("sync", "unknown_item", "x")
    assert base != fingerprint("mapping", "other", "x")
    assert fingerprint("sync", "r", None) == fingerprint("sync", "r", "")
