"""Stripe's wire conventions: error envelopes, list envelopes and `expand[]`.

Every handler raises `ApiError` for a refusal; the app turns it into `{"error": {...}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stripe_p21.sandbox.stripe.query import Page

StripeObj = dict[str, Any]
Lookup = Callable[[str], StripeObj | None]


class ApiError(Exception):
    """A refusal in Stripe's error format."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def envelope(self, request_log_url: str | None = None) -> StripeObj:
        """The JSON body Stripe answers with."""
        error: StripeObj = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        if request_log_url is not None:
            error["request_log_url"] = request_log_url
        return {"error": error}


def missing(object_type: str, object_id: str, param: str = "id") -> ApiError:
    """404 `resource_missing`, worded as Stripe words it."""
    label = object_type.rsplit(".", 1)[-1]
    return ApiError(404, f"No such {label}: '{object_id}'", code="resource_missing", param=param)


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """400 `invalid_request_error`."""
    return ApiError(400, message, code=code or "parameter_invalid", param=param)


def list_envelope(page: Page, url: str) -> StripeObj:
    """`{"object": "list", "data": [...], "has_more": ..., "url": ...}`."""
    return {"object": "list", "data": page.data, "has_more": page.has_more, "url": url}


def _expand_path(node: Any, path: list[str], lookup: Lookup, full: str) -> None:
    if not isinstance(node, dict) or not path:
        return
    head, rest = path[0], path[1:]
    if head == "data" and isinstance(node.get("data"), list):
        for item in node["data"]:
            _expand_path(item, rest, lookup, full)
        return
    if head not in node:
        raise invalid(f"This property cannot be expanded ({full}).", param="expand")
    value = node[head]
    if isinstance(value, str):
        found = lookup(value)
        if found is None:
            raise invalid(f"This property cannot be expanded ({full}).", param="expand")
        node[head] = value = found
    _expand_path(value, rest, lookup, full)


def expand(obj: StripeObj, paths: list[str], lookup: Lookup) -> StripeObj:
    """Replace ids at each dotted path with the objects they name (up to four levels deep)."""
    for path in paths:
        parts = path.split(".")
        if len(parts) > 4:
            raise invalid(
                f"You cannot expand more than 4 levels of a property ({path}).", param="expand"
            )
        _expand_path(obj, parts, lookup, path)
    return obj
