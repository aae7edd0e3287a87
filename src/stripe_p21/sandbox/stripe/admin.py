"""`/_sandbox/…` admin routes (JSON, same API key): insert objects, send events, inject faults,
move the clock and read delivery attempts — the HTTP twin of the `StripeSandbox` Python API.

`POST /_sandbox/payouts/fail {"payout": "po_…", "failure_code": "account_closed",
"failure_message": "…"}` fails a payout (also a paid one) as the bank's return would: status
`failed`, a `payout_failure` balance transaction, `payout.failed` (`sandbox.stripe.payouts`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from stripe_p21.sandbox.stripe.faults import Fault
from stripe_p21.sandbox.stripe.payouts import fail_payout
from stripe_p21.sandbox.stripe.service import StripeSandbox
from stripe_p21.sandbox.stripe.wire import ApiError

Authenticate = Callable[[StripeSandbox, Request[Any, Any, Any]], str]


def _refusal(exc: ApiError) -> Response[Any]:
    return Response(exc.envelope(), status_code=exc.status)


def _put_object(box: StripeSandbox, data: dict[str, Any]) -> dict[str, Any]:
    obj = data.get("object")
    if not isinstance(obj, dict) or not {"id", "object", "created"} <= obj.keys():
        raise ApiError(400, "`object` must be a Stripe object with id, object and created.")
    box.store.put(obj, payout=data.get("payout"))
    event_type = data.get("event")
    if event_type:
        return box.store.emit_event(str(event_type), obj, previous_attributes=data.get("previous"))
    return obj


def _move_clock(box: StripeSandbox, data: dict[str, Any]) -> dict[str, Any]:
    if "set" in data:
        box.clock.set(datetime.fromtimestamp(int(data["set"]), UTC))
    if "advance_seconds" in data:
        box.clock.advance(float(data["advance_seconds"]))
    return {"now": box.clock.timestamp()}


def _inject(box: StripeSandbox, data: dict[str, Any]) -> dict[str, Any]:
    box.faults.inject(Fault(**data))
    return {"injected": data}


def _fail_payout(box: StripeSandbox, data: dict[str, Any]) -> dict[str, Any]:
    code, message = data.get("failure_code"), data.get("failure_message")
    return fail_payout(
        box.store, str(data["payout"]), failure_code=str(code or "account_closed"),
        failure_message=None if message is None else str(message),
    )  # fmt: skip


def _attempts(box: StripeSandbox) -> list[dict[str, Any]]:
    return [asdict(attempt) for attempt in box.dispatcher.attempts]


def admin_routes(box: StripeSandbox, authenticate: Authenticate) -> list[HTTPRouteHandler]:
    """Route handlers bound to one sandbox."""

    def guarded(action: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        async def handler(request: Request[Any, Any, Any]) -> Response[Any]:
            try:
                authenticate(box, request)
                body = await request.json() if request.method == "POST" else {}
                return Response(action(body if isinstance(body, dict) else {}))
            except ApiError as exc:
                return _refusal(exc)
            except (ValueError, TypeError, KeyError) as exc:
                return _refusal(ApiError(400, f"Bad admin request: {exc}"))

        return handler

    def route(path: str, action: Callable[[dict[str, Any]], Any], method: str) -> HTTPRouteHandler:
        decorator = post if method == "POST" else get
        return decorator(path, include_in_schema=False, status_code=200)(guarded(action))

    return [
        route("/_sandbox/objects", lambda data: _put_object(box, data), "POST"),
        route("/_sandbox/faults", lambda data: _inject(box, data), "POST"),
        route("/_sandbox/clock", lambda data: _move_clock(box, data), "POST"),
        route("/_sandbox/payouts/fail", lambda data: _fail_payout(box, data), "POST"),
        route("/_sandbox/deliveries", lambda _: _attempts(box), "GET"),
    ]
