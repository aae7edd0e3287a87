"""Sandbox-only routes: ``/sandbox/state`` (JSON or HTML) and run-time fault control.

Not part of P21. They need no token and are exempt from fault injection, so a test or a person
can always see the ERP side and switch misbehaviour on and off.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, delete, get, post, put

from stripe_p21.sandbox.p21.runtime import sandbox_of
from stripe_p21.sandbox.p21.state_view import render_html, state
from stripe_p21.sandbox.p21.wire import P21Failure, json_response


def _counters(request: Request[Any, Any, Any]) -> tuple[int, int]:
    injector = request.app.state.get("injector")
    return (injector.dropped, injector.injected) if injector is not None else (0, 0)


@get("/sandbox/state")
async def sandbox_state(request: Request[Any, Any, Any]) -> Response[bytes]:
    dropped, injected = _counters(request)
    data = state(sandbox_of(request), dropped=dropped, injected=injected)
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "json" not in accept:
        return Response(content=render_html(data).encode(), media_type="text/html")
    return json_response(data)


@get("/sandbox/faults")
async def get_faults(request: Request[Any, Any, Any]) -> Response[bytes]:
    return json_response(sandbox_of(request).config.faults.to_dict())


@put("/sandbox/faults")
async def put_faults(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Partial update, e.g. ``{"drop_next": 1}`` or ``{"outage_seconds": 5}``."""
    faults = sandbox_of(request).config.faults
    try:
        changes = json.loads(await request.body())
        if not isinstance(changes, dict):
            raise TypeError("expected a JSON object")
        faults.update(changes)
    except (ValueError, TypeError) as exc:
        raise P21Failure(400, str(exc), "SandboxConfigError") from exc
    return json_response(faults.to_dict())


@delete("/sandbox/faults", status_code=200)
async def clear_faults(request: Request[Any, Any, Any]) -> Response[bytes]:
    faults = sandbox_of(request).config.faults
    faults.reset()
    return json_response(faults.to_dict())


@post("/sandbox/tokens/invalidate")
async def invalidate_tokens(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every issued token stops working (as after a P21 restart)."""
    return json_response({"invalidated": sandbox_of(request).tokens.invalidate_all()})


ROUTES = [sandbox_state, get_faults, put_faults, clear_faults, invalidate_tokens]
