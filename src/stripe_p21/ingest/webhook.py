"""`POST /webhooks/stripe`: size limit, signature, parse, store, commit, enqueue, answer.
Nothing else happens while Stripe waits; a database failure answers 503 so Stripe retries."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from litestar import Request, Response, post
from litestar.datastructures import State

from stripe_p21 import metrics
from stripe_p21.connectors.stripe.signature import SignatureError, verify_signature
from stripe_p21.db.tables import utcnow
from stripe_p21.ingest.envelope import EnvelopeError, EventEnvelope, parse_event
from stripe_p21.ingest.inbox import record_rejection, store_event
from stripe_p21.ingest.remote import remote_address
from stripe_p21.runtime.services import Services

log = structlog.get_logger(__name__)
_JSON = "application/json"


@dataclass(slots=True)
class Rejection(Exception):
    reason: str
    message: str
    status: int = 400
    size: int = 0


class _RejectionBudget:
    """Record at most `per_second` rejections in the database; metrics count every one."""

    def __init__(self, per_second: int = 50) -> None:
        self.per_second, self._second, self._used = per_second, 0, 0

    def take(self) -> bool:
        second = int(time.monotonic())
        if second != self._second:
            self._second, self._used = second, 0
        self._used += 1
        return self._used <= self.per_second


_budget = _RejectionBudget()


def _answer(status: int, body: dict[str, Any]) -> Response[bytes]:
    return Response(content=msgspec.json.encode(body), status_code=status, media_type=_JSON)


async def _read_body(request: Request[Any, Any, State], limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Rejection("body_too_large", f"body is larger than {limit} bytes", 413, int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejection("body_too_large", f"body is larger than {limit} bytes", 413, size)
        chunks.append(chunk)
    return b"".join(chunks)


@post("/webhooks/stripe", status_code=200, include_in_schema=True, summary="Receive Stripe events")
async def receive_stripe_webhook(request: Request[Any, Any, State]) -> Response[bytes]:
    """Verify, store and enqueue one Stripe event. 200 once stored; 4xx/413 for bad deliveries
    (JSON `reason`); 503 when the database is unavailable, so Stripe retries. A type no handler
    is registered for is stored already `ignored` (with the reason) and not enqueued."""
    services: Services = request.app.state.services
    started = time.perf_counter()
    body = b""
    try:
        body = await _read_body(request, services.settings.webhook.max_body_bytes)
        envelope = _verified_envelope(services, request, body)
    except Rejection as rejection:
        await _reject(services, request, rejection, rejection.size or len(body))
        return _answer(
            rejection.status,
            {"received": False, "reason": rejection.reason, "message": rejection.message},
        )
    ignored = services.registry.get(envelope.type) is None
    try:
        is_new = await store_event(services.engine, envelope, received_at=utcnow(), ignored=ignored)
    except Exception as exc:  # noqa: BLE001 - any storage failure: never 200, let Stripe retry
        log.error("webhook_store_failed", error=type(exc).__name__, event_id=envelope.id)
        return _answer(
            503, {"received": False, "reason": "storage_unavailable", "message": "try again later"}
        )
    if not is_new:
        metrics.EVENTS_RECEIVED.labels(envelope.type, "duplicate").inc()
        return _answer(200, {"received": True, "duplicate": True, "event_id": envelope.id})
    if ignored:  # stored for the record; no handler, so no job
        metrics.EVENTS_PROCESSED.labels(envelope.type, "ignored").inc()
    else:
        await services.enqueue_quietly(envelope.id)
    metrics.EVENTS_RECEIVED.labels(envelope.type, "stored").inc()
    metrics.INGEST_LATENCY.observe(time.perf_counter() - started)
    return _answer(200, {"received": True, "event_id": envelope.id})


def _verified_envelope(
    services: Services, request: Request[Any, Any, State], body: bytes
) -> EventEnvelope:
    settings = services.settings.webhook
    try:
        verify_signature(
            body,
            request.headers.get("stripe-signature"),
            services.webhook_secrets,
            tolerance=settings.tolerance_seconds,
        )
        return parse_event(body)
    except SignatureError as exc:
        raise Rejection(exc.problem.value, str(exc)) from None
    except EnvelopeError as exc:
        raise Rejection(exc.reason, str(exc)) from None


async def _reject(
    services: Services, request: Request[Any, Any, State], rejection: Rejection, size: int
) -> None:
    metrics.WEBHOOK_REJECTED.labels(rejection.reason).inc()
    peer = request.client.host if request.client else None
    remote = remote_address(peer, request.headers.get("x-forwarded-for"), services.trusted_proxies)
    log.warning("webhook_rejected", reason=rejection.reason, remote_addr=remote, body_bytes=size)
    if not _budget.take():
        return
    try:
        await record_rejection(
            services.sessions,
            reason=rejection.reason,
            detail=rejection.message,
            remote_addr=remote,
            header_names=list(request.headers.keys()),
            body_bytes=size,
        )
    except Exception as exc:  # noqa: BLE001 - recording is best effort; the answer does not depend on it
        log.warning("rejection_not_recorded", error=type(exc).__name__)
