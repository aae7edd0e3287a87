"""`check(truth, p21_state=…, sessions=…)`: run every comparison and collect the differences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.sync_check import db
from stripe_p21.sync_check.documents import check_credit_memos, check_orders, check_payments
from stripe_p21.sync_check.ledger import check_gl_entries
from stripe_p21.sync_check.result import CheckResult, Difference
from stripe_p21.sync_check.reviews import (
    check_customers,
    check_reconciliation,
    check_review_items,
)

SUPPORTED_FORMAT = 1
UNFINISHED = ("received", "processing", "failed", "dead")
"""Inbox statuses that mean an event was not (yet) carried through: lost work if it stays."""


def load_truth(truth: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A truth file's content from its path, or the dict itself; refuses unknown formats."""
    data: dict[str, Any] = truth if isinstance(truth, dict) else json.loads(Path(truth).read_text())
    version = data.get("format_version")
    if version != SUPPORTED_FORMAT:
        raise ValueError(f"truth format_version {version!r} is not {SUPPORTED_FORMAT}")
    return data


async def check(
    truth: str | Path | dict[str, Any],
    *,
    p21_state: dict[str, Any],
    sessions: async_sessionmaker[AsyncSession],
) -> CheckResult:
    """Every difference between the truth and P21 (`p21_state`: `GET /sandbox/state` or
    `p21_state_of(sandbox)`) plus our database (links, reconciliation, review items)."""
    expected = load_truth(truth)
    ours = await db.load(sessions)
    result = CheckResult()
    check_orders(expected, p21_state, ours, result)
    check_payments(expected, p21_state, result)
    check_credit_memos(expected, p21_state, result)
    check_gl_entries(expected, p21_state, ours, result)
    check_reconciliation(expected, ours, result)
    check_review_items(expected, ours, result)
    check_customers(expected, p21_state, ours, result)
    result.checked["events"] = sum(ours.events.values())
    for status in UNFINISHED:
        if ours.events.get(status):
            result.differences.append(
                Difference(
                    "events", status, f"{ours.events[status]} events", 0, ours.events[status]
                )
            )
    return result
