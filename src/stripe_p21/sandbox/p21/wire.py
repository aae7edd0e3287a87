"""How the sandbox answers: exact-decimal JSON, P21's error envelope and its 400 body.

P21 reports business-rule failures as HTTP 500 with an error envelope, not-found as 404 with the
same envelope, and unparsable bodies as an ASP.NET 400; every route raises ``P21Failure`` and this
module renders it the way P21 would.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException

_encoder = msgspec.json.Encoder(decimal_format="number")
JSON = "application/json; charset=utf-8"
HOST_NAME = "P21-SANDBOX"


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response[bytes]:
    return Response(
        content=_encoder.encode(body), status_code=status, media_type=JSON, headers=headers
    )


class P21Failure(Exception):
    """Raised by routes; rendered as P21 renders its failures."""

    def __init__(
        self,
        status: int,
        message: str = "",
        error_type: str = "P21.Business.BusinessRuleException",
        *,
        empty: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.empty = empty


def not_found(message: str) -> P21Failure:
    return P21Failure(404, message, "P21.Common.Exceptions.ResourceNotFoundException")


def envelope(message: str, error_type: str, user: str | None = None) -> dict[str, Any]:
    """P21's error envelope, field for field."""
    return {
        "DateTimeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "ErrorMessage": message,
        "ErrorType": error_type,
        "HostName": HOST_NAME,
        "InnerException": None,
        "LogId": str(uuid.uuid4()),
        "StackTrace": None,
        "UserId": user,
    }


def content_required() -> P21Failure:
    """ASP.NET's answer to a body it cannot bind."""
    return P21Failure(400, "The content field is required.", "ModelState")


def render_failure(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Exception handler for ``P21Failure`` and Litestar's own HTTP errors."""
    if isinstance(exc, P21Failure):
        if exc.empty:
            return Response(content=b"", status_code=exc.status, media_type=JSON)
        if exc.error_type == "ModelState":
            body = {"Message": "The request is invalid.", "ModelState": {"content": [exc.message]}}
            return json_response(body, exc.status)
        return json_response(envelope(exc.message, exc.error_type), exc.status)
    if isinstance(exc, HTTPException):
        kind = "P21.Common.Exceptions.ResourceNotFoundException"
        return json_response(envelope(str(exc.detail), kind), exc.status_code)
    raise exc
