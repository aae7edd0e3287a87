"""`/api/review-items`: the queue of things a person must look at — list with filters and counts,
one item with its evidence, links and audit trail, and the actions retry / resolve / dismiss
(each needs a note, each is written to the audit log). Bearer token required."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from stripe_p21.auth.guards import requires
from stripe_p21.auth.tokens import authenticate
from stripe_p21.db.tables import TokenRole, table_of
from stripe_p21.pipeline.replay import ReplayConflict, replay_one
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.service import ReviewActionError, act
from stripe_p21.review.tables import AuditLog, ReviewItem, ReviewStatus
from stripe_p21.runtime.services import Services

_ITEMS = table_of(ReviewItem)
_C = _ITEMS.c


@dataclass
class ReviewItemSummary:
    id: int
    queue: str
    reason: str
    priority: int
    status: str
    title: str
    stripe_object_id: str | None
    event_id: str | None
    fingerprint: str
    occurrences: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewItemSummary:
        return cls(**{name: getattr(item, name) for name in cls.__dataclass_fields__})


@dataclass
class AuditEntry:
    at: datetime
    actor: str
    action: str
    note: str | None
    details: dict[str, Any]


@dataclass
class DocumentLink:
    stripe_object_id: str
    p21_kind: str
    p21_document_no: str
    status: str
    amount_minor: int | None
    currency: str | None
    mapping_version: str


@dataclass
class ReviewItemDetail:
    item: ReviewItemSummary
    message: str | None
    resolution_note: str | None
    evidence: dict[str, Any]
    links: dict[str, Any]
    documents: list[DocumentLink]
    audit_log: list[AuditEntry]


@dataclass
class ReviewItemPage:
    data: list[ReviewItemSummary]
    next_cursor: int | None
    counts: dict[str, dict[str, int]]
    """Items matching the filters (other than queue and status), by queue and status."""


@dataclass
class ActionRequest:
    note: str | None = None


class ConflictException(ClientException):
    status_code = 409


def _filters(**wanted: Any) -> list[Any]:
    return [_C[name] == value for name, value in wanted.items() if value is not None]


async def _counts(session: AsyncSession, conditions: list[Any]) -> dict[str, dict[str, int]]:
    stmt = (
        select(_C.queue, _C.status, func.count())
        .where(and_(true(), *conditions))
        .group_by(_C.queue, _C.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for queue, status, count in (await session.execute(stmt)).all():
        counts.setdefault(str(queue), {})[str(status)] = int(count)
    return counts


async def _actor(request: Request[Any, Any, State]) -> str:
    """`token:<name>` of the caller (the guard has already checked the token)."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    row = await authenticate(request.app.state.services.sessions, token)
    return f"token:{row.name}" if row is not None else "token:unknown"


def _note(body: ActionRequest | None) -> str:
    note = (body.note if body is not None else None) or ""
    if not note.strip():
        raise ClientException('a note is required: say why, e.g. {"note": "fixed the SKU"}')
    return note.strip()


class ReviewItemController(Controller):
    path = "/api/review-items"
    tags = ["review items"]

    @get("/", guards=[requires(TokenRole.VIEWER)], summary="List review items, newest first")
    async def list_items(
        self,
        request: Request[Any, Any, State],
        queue: FromQuery[str | None] = None,
        status: FromQuery[ReviewStatus | None] = None,
        reason: FromQuery[str | None] = None,
        priority: Annotated[int | None, QueryParameter(ge=1, le=5)] = None,
        fingerprint: FromQuery[str | None] = None,
        stripe_object_id: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> ReviewItemPage:
        common = _filters(
            reason=reason,
            priority=priority,
            fingerprint=fingerprint,
            stripe_object_id=stripe_object_id,
        )
        conditions = [*common, *_filters(queue=queue, status=status.value if status else None)]
        if cursor is not None:
            conditions.append(_C.id < cursor)
        stmt = (
            select(ReviewItem)
            .where(and_(true(), *conditions))
            .order_by(_C.id.desc())
            .limit(limit + 1)
        )
        services: Services = request.app.state.services
        async with services.sessions() as session:
            rows = list((await session.execute(stmt)).scalars())
            counts = await _counts(session, common)
        page, more = rows[:limit], len(rows) > limit
        return ReviewItemPage(
            data=[ReviewItemSummary.of(row) for row in page],
            next_cursor=page[-1].id if more and page else None,
            counts=counts,
        )

    @get("/{item_id:int}", guards=[requires(TokenRole.VIEWER)], summary="One item in full")
    async def get_item(
        self, request: Request[Any, Any, State], item_id: FromPath[int]
    ) -> ReviewItemDetail:
        services: Services = request.app.state.services
        async with services.sessions() as session:
            item = await session.get(ReviewItem, item_id)
            if item is None:
                raise NotFoundException(f"no review item {item_id}")
            return await _detail(session, item)

    @post(
        "/{item_id:int}/retry",
        guards=[requires(TokenRole.REVIEWER)],
        status_code=200,
        summary="Replay the linked event, then mark the item retried",
    )
    async def retry(
        self,
        request: Request[Any, Any, State],
        item_id: FromPath[int],
        data: JSONBody[ActionRequest | None] = None,
    ) -> ReviewItemDetail:
        return await _act(request, item_id, "retry", data)

    @post(
        "/{item_id:int}/resolve",
        guards=[requires(TokenRole.REVIEWER)],
        status_code=200,
        summary="Mark the item resolved",
    )
    async def resolve(
        self,
        request: Request[Any, Any, State],
        item_id: FromPath[int],
        data: JSONBody[ActionRequest | None] = None,
    ) -> ReviewItemDetail:
        return await _act(request, item_id, "resolve", data)

    @post(
        "/{item_id:int}/dismiss",
        guards=[requires(TokenRole.REVIEWER)],
        status_code=200,
        summary="Dismiss the item (not a problem)",
    )
    async def dismiss(
        self,
        request: Request[Any, Any, State],
        item_id: FromPath[int],
        data: JSONBody[ActionRequest | None] = None,
    ) -> ReviewItemDetail:
        return await _act(request, item_id, "dismiss", data)


def _linked_event(item: ReviewItem) -> str | None:
    events = item.links.get("events") if isinstance(item.links, dict) else None
    if item.event_id:
        return item.event_id
    if isinstance(events, list) and events:
        return str(events[-1])
    return None


async def _act(
    request: Request[Any, Any, State], item_id: int, action: str, body: ActionRequest | None
) -> ReviewItemDetail:
    note = _note(body)
    actor = await _actor(request)
    services: Services = request.app.state.services
    async with services.sessions() as session:
        item = await session.get(ReviewItem, item_id)
        if item is None:
            raise NotFoundException(f"no review item {item_id}")
        if item.status != ReviewStatus.OPEN:
            raise ConflictException(f"review item {item_id} is {item.status}, not open")
        event_id = _linked_event(item)
    if action == "retry":
        if event_id is None:
            raise ConflictException(f"review item {item_id} has no event to replay")
        try:
            if not await replay_one(services.sessions, event_id):
                raise ConflictException(f"the linked event {event_id} no longer exists")
        except ReplayConflict as exc:
            raise ConflictException(str(exc)) from None
    async with services.sessions() as session, session.begin():
        item = await session.get(ReviewItem, item_id, with_for_update=True)
        assert item is not None  # noqa: S101 - items are never deleted
        try:
            await act(session, item, action, actor=actor, note=note)
        except ReviewActionError as exc:
            raise ConflictException(str(exc)) from None
    if action == "retry" and event_id is not None:
        await services.enqueue_quietly(event_id)
    async with services.sessions() as session:
        item = await session.get(ReviewItem, item_id)
        assert item is not None  # noqa: S101
        return await _detail(session, item)


async def _detail(session: AsyncSession, item: ReviewItem) -> ReviewItemDetail:
    audit = (
        await session.execute(
            select(AuditLog)
            .where(AuditLog.subject_type == "review_item")  # type: ignore[arg-type]
            .where(AuditLog.subject_id == str(item.id))  # type: ignore[arg-type]
            .order_by(AuditLog.id)  # type: ignore[arg-type]
        )
    ).scalars()
    documents: list[DocumentLink] = []
    subjects = {s for s in (item.stripe_object_id, *_linked_objects(item)) if s}
    if subjects:
        links = (
            await session.execute(
                select(SyncLink)
                .where(SyncLink.stripe_object_id.in_(sorted(subjects)))  # type: ignore[attr-defined]
                .order_by(SyncLink.id)  # type: ignore[arg-type]
            )
        ).scalars()
        documents = [
            DocumentLink(
                link.stripe_object_id,
                link.p21_kind,
                link.p21_document_no,
                link.status,
                link.amount_minor,
                link.currency,
                link.mapping_version,
            )
            for link in links
        ]
    return ReviewItemDetail(
        item=ReviewItemSummary.of(item),
        message=item.message,
        resolution_note=item.resolution_note,
        evidence=dict(item.evidence),
        links=dict(item.links),
        documents=documents,
        audit_log=[AuditEntry(a.at, a.actor, a.action, a.note, dict(a.details)) for a in audit],
    )


def _linked_objects(item: ReviewItem) -> list[str]:
    """Stripe ids named in the evidence or links (`stripe_charge_id`, `stripe_objects`…)."""
    found: list[str] = []
    for source in (item.evidence, item.links):
        if not isinstance(source, dict):
            continue
        for key, value in source.items():
            if key.startswith("stripe_") and isinstance(value, str):
                found.append(value)
            elif key == "stripe_objects" and isinstance(value, list):
                found += [str(v) for v in value]
    return found
