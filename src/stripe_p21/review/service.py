"""Raising review items and acting on them; every action is written to the audit log.

One item per problem: raising the same `(queue, reason, stripe object)` again counts another
occurrence on the open item. A problem a person already resolved or dismissed is not raised
again (never asked twice) unless the caller says the situation changed (`reopen=True`); one a
person sent back for a retry reopens when the retry fails the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stripe_p21.db.types import utcnow
from stripe_p21.logging import scrub, scrub_value
from stripe_p21.review.fingerprint import fingerprint
from stripe_p21.review.tables import AuditLog, ReviewItem, ReviewStatus

QUEUES = ("sync", "fraud", "disputes", "reconciliation", "customer_match", "mapping", "billing")
"""`sync` takes permanent failures and dead events; the others are business exceptions."""


class ReviewActionError(ValueError):
    """The action does not apply to the item in its current state."""


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    queue: str
    reason: str
    title: str
    stripe_object_id: str | None = None
    event_id: str | None = None
    message: str | None = None
    priority: int = 3
    evidence: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)

    def dedupe_key(self) -> str:
        subject = self.stripe_object_id or fingerprint(self.queue, self.reason, self.message)
        return f"{self.queue}:{self.reason}:{subject}"


async def raise_item(
    session: AsyncSession, request: ReviewRequest, *, actor: str = "system", reopen: bool = False
) -> ReviewItem:
    """Create the item, or count one more occurrence of the open one. Caller commits."""
    if request.queue not in QUEUES:
        raise ValueError(f"unknown review queue {request.queue!r}")
    key = request.dedupe_key()
    stmt = select(ReviewItem).where(ReviewItem.dedupe_key == key)  # type: ignore[arg-type]
    item = (await session.execute(stmt)).scalar_one_or_none()
    message = scrub(request.message) if request.message else None
    evidence = scrub_value(request.evidence)
    now = utcnow()
    if item is None:
        item = ReviewItem(
            queue=request.queue,
            reason=request.reason,
            priority=request.priority,
            title=scrub(request.title)[:500],
            stripe_object_id=request.stripe_object_id,
            event_id=request.event_id,
            dedupe_key=key,
            fingerprint=fingerprint(request.queue, request.reason, request.message),
            message=message,
            evidence=evidence if isinstance(evidence, dict) else {"value": evidence},
            links=dict(request.links),
        )
        session.add(item)
        await session.flush()
        _audit(session, actor, "raised", item, request.title)
        return item
    if item.status in (ReviewStatus.RESOLVED, ReviewStatus.DISMISSED) and not reopen:
        return item
    if item.status != ReviewStatus.OPEN:
        item.status = ReviewStatus.OPEN.value
        item.resolved_at = item.resolved_by = item.resolution_note = None
        _audit(session, actor, "reopened", item, request.title)
    item.occurrences += 1
    item.updated_at = now
    item.message = message or item.message
    item.evidence = {**item.evidence, **(evidence if isinstance(evidence, dict) else {})}
    item.links = {**item.links, **request.links}
    if request.event_id:
        item.event_id = request.event_id
    return item


async def act(
    session: AsyncSession, item: ReviewItem, action: str, *, actor: str, note: str
) -> ReviewItem:
    """`resolve`, `dismiss` or `retry` an open item (a note is required). Caller commits;
    `retry` only records the decision — the API replays the linked event."""
    if not note or not note.strip():
        raise ReviewActionError("a note is required")
    targets = {
        "resolve": ReviewStatus.RESOLVED,
        "dismiss": ReviewStatus.DISMISSED,
        "retry": ReviewStatus.RETRIED,
    }
    if action not in targets:
        raise ReviewActionError(f"unknown action {action!r}")
    if item.status != ReviewStatus.OPEN:
        raise ReviewActionError(f"item {item.id} is {item.status}, not open")
    item.status = targets[action].value
    item.resolved_at = item.updated_at = utcnow()
    item.resolved_by = actor
    item.resolution_note = note.strip()
    _audit(session, actor, action, item, note.strip())
    return item


def _audit(session: AsyncSession, actor: str, action: str, item: ReviewItem, note: str) -> None:
    session.add(
        AuditLog(
            actor=actor,
            action=action,
            subject_type="review_item",
            subject_id=str(item.id),
            note=scrub(note),
            details={"queue": item.queue, "reason": item.reason, "status": item.status},
        )
    )
