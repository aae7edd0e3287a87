"""Turns P21's many answer shapes (JSON, XML, error envelopes, empty 500s) into values or errors.

P21 reports failures as 500 envelopes, ASP.NET 400 model-state bodies, 404s and empty bodies; this
module is the one place that knows those shapes, so the rest of the client never guesses.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from stripe_p21.connectors.p21.errors import (
    P21AuthError,
    P21Error,
    P21NotFound,
    P21OutcomeUnknown,
    P21RejectedError,
    P21TransientError,
    is_session_pool_error,
)

_RETRY_STATUSES = frozenset({429, 503})
_AMBIGUOUS_STATUSES = frozenset({502, 504})


def decode_json(response: httpx.Response) -> Any:
    """Parse a JSON body keeping every decimal exact (``parse_float=Decimal``)."""
    if not response.content:
        return None
    return json.loads(response.content, parse_float=Decimal)


def error_text(response: httpx.Response) -> tuple[str, str | None]:
    """P21's own message and error type from an envelope, a 400 body or plain text."""
    try:
        body = decode_json(response)
    except ValueError:
        return response.text.strip()[:500], None
    if isinstance(body, dict):
        if "ErrorMessage" in body:
            return str(body.get("ErrorMessage") or ""), _str_or_none(body.get("ErrorType"))
        if isinstance(body.get("ModelState"), dict):
            found = [str(m) for msgs in body["ModelState"].values() for m in msgs]
            return "; ".join(found) or str(body.get("Message", "")), "ModelState"
        if isinstance(body.get("error"), dict):
            return str(body["error"].get("message", "")), "ODataError"
        if "Message" in body:
            return str(body["Message"]), None
    return (response.text.strip()[:500], None) if response.content else ("", None)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def raise_for_status(response: httpx.Response, *, write: bool) -> None:
    """Raise the typed error for a non-2xx answer; a 2xx passes through."""
    status = response.status_code
    if status < 300:
        return
    method, path = response.request.method, response.request.url.path
    where: dict[str, Any] = {"status_code": status, "method": method, "path": path}
    message, error_type = error_text(response)
    if status in (401, 403):
        raise P21AuthError(message or "You are not authorized to access API", **where)
    if status == 404:
        raise P21NotFound(message or "Not found", error_type=error_type, **where)
    if status == 500:
        _raise_for_500(message, error_type, where)
    if status in _RETRY_STATUSES:
        raise P21TransientError(message or f"P21 answered {status}", **where)
    if status in _AMBIGUOUS_STATUSES or status > 500:
        error: type[P21Error] = P21OutcomeUnknown if write else P21TransientError
        raise error(message or f"P21 answered {status}", **where)
    raise P21RejectedError(message or f"P21 answered {status}", error_type=error_type, **where)


def _raise_for_500(message: str, error_type: str | None, where: dict[str, Any]) -> None:
    if is_session_pool_error(message):
        raise P21TransientError(message, **where)
    if not message:
        message = "P21 answered 500 with an empty body (unknown service or missing Accept header)"
    raise P21RejectedError(message, error_type=error_type, **where)
