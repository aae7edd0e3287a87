"""`/api/events`: list and inspect inbox events, and replay one. Bearer token required."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import and_, or_, select, true

from stripe_p21.auth.guards import requires
from stripe_p21.db.tables import EventAttempt, EventStatus, StripeEvent, TokenRole, table_of
from stripe_p21.logging import scrub_value
from stripe_p21.pipeline.replay import ReplayConflict, replay_one
from stripe_p21.runtime.services import Services

_EVENTS = table_of(StripeEvent)
_C = _EVENTS.c


@dataclass
class EventSummary:
    id: str
    type: str
    status: str
    attempts: int
    created: datetime
    received_at: datetime
    livemode: bool
    account: str | None
    api_version: str | None
    next_attempt_at: datetime | None
    last_error_class: str | None
    last_error_message: str | None
    outcome_note: str | None
    processed_at: datetime | None

    @classmethod
    def of(cls, event: StripeEvent) -> EventSummary:
        return cls(**{name: getattr(event, name) for name in cls.__dataclass_fields__})


@dataclass
class AttemptView:
    attempt: int
    worker: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    error_class: str | None
    error_message: str | None


@dataclass
class EventDetail:
    event: EventSummary
    payload: dict[str, Any]
    attempt_log: list[AttemptView]


@dataclass
class EventPage:
    data: list[EventSummary]
    next_cursor: str | None


class ConflictException(ClientException):
    status_code = 409


def _encode_cursor(event: StripeEvent) -> str:
    raw = f"{event.received_at.isoformat()}|{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, event_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), event_id
    except (ValueError, UnicodeDecodeError):
        raise ClientException("cursor is not one this API returned") from None


class EventController(Controller):
    path = "/api/events"
    tags = ["events"]

    @get("/", guards=[requires(TokenRole.VIEWER)], summary="List events, newest first")
    async def list_events(
        self,
        request: Request[Any, Any, State],
        status: FromQuery[EventStatus | None] = None,
        event_type: Annotated[str | None, QueryParameter(name="type")] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> EventPage:
        conditions = []
        if status is not None:
            conditions.append(_C.status == status.value)
        if event_type:
            conditions.append(_C.type == event_type)
        for bound in (since, until):
            if bound is not None and bound.tzinfo is None:
                raise ClientException("since/until need a timezone, e.g. 2026-11-01T00:00:00Z")
        if since is not None:
            conditions.append(_C.received_at >= since)
        if until is not None:
            conditions.append(_C.received_at < until)
        if cursor:
            at, last_id = _decode_cursor(cursor)
            conditions.append(or_(_C.received_at < at, and_(_C.received_at == at, _C.id < last_id)))
        stmt = (
            select(StripeEvent)
            .where(and_(true(), *conditions))
            .order_by(_C.received_at.desc(), _C.id.desc())
            .limit(limit + 1)
        )
        services: Services = request.app.state.services
        async with services.sessions() as session:
            rows = list((await session.execute(stmt)).scalars())
        page, more = rows[:limit], len(rows) > limit
        return EventPage(
            data=[EventSummary.of(row) for row in page],
            next_cursor=_encode_cursor(page[-1]) if more and page else None,
        )

    @get("/{event_id:str}", guards=[requires(TokenRole.VIEWER)], summary="One event in full")
    async def get_event(
        self, request: Request[Any, Any, State], event_id: FromPath[str]
    ) -> EventDetail:
        services: Services = request.app.state.services
        async with services.sessions() as session:
            event = await session.get(StripeEvent, event_id)
            if event is None:
                raise NotFoundException(f"no event {event_id}")
            attempts = (
                await session.execute(
                    select(EventAttempt)
                    .where(EventAttempt.event_id == event_id)  # type: ignore[arg-type]
                    .order_by(EventAttempt.id)  # type: ignore[arg-type]
                )
            ).scalars()
            log = [
                AttemptView(
                    a.attempt,
                    a.worker,
                    a.started_at,
                    a.finished_at,
                    a.outcome,
                    a.error_class,
                    a.error_message,
                )
                for a in attempts
            ]
        payload = scrub_value(msgspec.json.decode(event.payload))
        return EventDetail(EventSummary.of(event), payload, log)

    @post(
        "/{event_id:str}/replay",
        guards=[requires(TokenRole.REVIEWER)],
        status_code=202,
        summary="Process the event again",
    )
    async def replay(
        self, request: Request[Any, Any, State], event_id: FromPath[str]
    ) -> EventSummary:
        services: Services = request.app.state.services
        try:
            found = await replay_one(services.sessions, event_id)
        except ReplayConflict as exc:
            raise ConflictException(str(exc)) from None
        if not found:
            raise NotFoundException(f"no event {event_id}")
        await services.enqueue_quietly(event_id)
        async with services.sessions() as session:
            event = await session.get(StripeEvent, event_id)
        assert event is not None  # noqa: S101 - events are never deleted
        return EventSummary.of(event)
