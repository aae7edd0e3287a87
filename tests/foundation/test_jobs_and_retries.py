"""process_event on both backends: retries with backoff, dead after the last attempt, replay,
permanent errors to review, unknown exceptions retried — never dropped."""

from __future__ import annotations

import random

from sqlalchemy import select

from stripe_p21.db.tables import EventAttempt
from stripe_p21.pipeline.replay import reset_for_replay
from stripe_p21.pipeline.retry import RetryPolicy
from tests.conftest import StackFactory
from tests.support.factories import effect_event
from tests.support.handlers import set_marker
from tests.support.stack import Stack


async def _attempts(stack: Stack, event_id: str) -> list[EventAttempt]:
    async with stack.services.sessions() as session:
        stmt = select(EventAttempt).where(EventAttempt.event_id == event_id)  # type: ignore[arg-type]
        return list((await session.execute(stmt.order_by(EventAttempt.id))).scalars())  # type: ignore[arg-type]


async def test_transient_failure_retries_then_dies_then_replay_completes(
    stack_factory: StackFactory,
) -> None:
    async with stack_factory(STRIPE_P21_MAX_ATTEMPTS="4") as stack:
        await set_marker(stack.services.sessions, "p21-down", on=True)
        event = effect_event(fail_while_marker="p21-down")
        assert (await stack.post_event(event)).status_code == 200
        dead = await stack.settle(event["id"])
        assert dead.status == "dead"
        assert dead.attempts == 4
        assert dead.last_error_class == "TransientError"
        log = await _attempts(stack, event["id"])
        assert [a.outcome for a in log] == ["failed", "failed", "failed", "dead"]
        assert [a.attempt for a in log] == [1, 2, 3, 4]
        assert await stack.effects(event["id"]) == 0

        await set_marker(stack.services.sessions, "p21-down", on=False)
        assert await reset_for_replay(stack.services.sessions, statuses=["dead"]) == [event["id"]]
        await stack.services.enqueue_quietly(event["id"])
        done = await stack.settle(event["id"])
        assert done.status == "processed"
        assert done.attempts == 1
        assert await stack.effects(event["id"]) == 1


async def test_retry_succeeds_before_the_limit(stack: Stack) -> None:
    event = effect_event(fail_until_attempt=2)
    await stack.post_event(event)
    done = await stack.settle(event["id"])
    assert done.status == "processed"
    assert done.attempts == 3
    assert await stack.effects(event["id"]) == 1
    assert [a.outcome for a in await _attempts(stack, event["id"])] == [
        "failed",
        "failed",
        "processed",
    ]


async def test_permanent_error_goes_to_review_at_once(stack: Stack) -> None:
    event = effect_event(fail_until_attempt=5, fail_kind="permanent")
    await stack.post_event(event)
    stored = await stack.settle(event["id"])
    assert stored.status == "needs_review"
    assert stored.attempts == 1
    assert stored.last_error_class == "PermanentError"
    assert stored.last_error_message == "the ERP refused the document: customer is on credit hold"


async def test_unexpected_exception_is_retried_not_dropped(stack: Stack) -> None:
    event = effect_event(fail_until_attempt=1, fail_kind="crash")
    await stack.post_event(event)
    stored = await stack.settle(event["id"])
    assert stored.status == "processed"
    assert [a.error_class for a in await _attempts(stack, event["id"])] == ["KeyError", None]


def test_backoff_ceiling_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=8, base_seconds=600, cap_seconds=21600)
    assert [policy.ceiling(n) for n in range(1, 8)] == [
        600,
        1200,
        2400,
        4800,
        9600,
        19200,
        21600,
    ]
    rng = random.Random(7)
    for attempt in range(1, 8):
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= policy.ceiling(attempt)
    assert sum(policy.ceiling(n) for n in range(1, 8)) / 3600 > 16  # about a day in the worst case
    assert policy.exhausted(8) and not policy.exhausted(7)


async def test_a_finish_without_the_lease_changes_nothing_but_is_recorded(stack: Stack) -> None:
    """A worker whose lease was taken over must not overwrite the event's state (both the
    PostgreSQL one-statement finish and the SQLite transaction); its attempt is still logged."""
    from dataclasses import replace

    from stripe_p21.db.tables import EventStatus, StripeEvent, utcnow
    from stripe_p21.pipeline.jobs import Outcome, _finish

    event = effect_event(fail_until_attempt=5, fail_kind="permanent")
    await stack.post_event(event)
    stored = await stack.settle(event["id"])
    assert stored.status == "needs_review"
    intruder = replace(stack.services.job_deps(), worker_id="intruder")
    failed = Outcome(EventStatus.FAILED, error=RuntimeError("late"), next_attempt_at=utcnow())
    await _finish(intruder, stored, failed, utcnow())
    async with stack.services.sessions() as session:
        again = await session.get(StripeEvent, event["id"])
    assert again is not None and again.status == "needs_review"
    assert again.last_error_class == "PermanentError"
    log = await _attempts(stack, event["id"])
    assert [(a.worker, a.outcome) for a in log][-1] == ("intruder", "failed")
