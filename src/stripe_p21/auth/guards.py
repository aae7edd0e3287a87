"""Litestar guards: a valid bearer token, and a role at least as strong as the route needs."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from stripe_p21.auth.tokens import authenticate
from stripe_p21.db.tables import TokenRole

_RANK = {TokenRole.VIEWER: 0, TokenRole.REVIEWER: 1, TokenRole.ADMIN: 2}


async def _token_role(connection: ASGIConnection[Any, Any, Any, Any]) -> TokenRole:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("a bearer token is required (stripe-p21 tokens create)")
    row = await authenticate(connection.app.state.services.sessions, token.strip())
    if row is None:
        raise NotAuthorizedException("the bearer token is unknown or revoked")
    return TokenRole(row.role)


def requires(role: TokenRole) -> Any:
    """A guard admitting tokens whose role ranks at least `role`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        have = await _token_role(connection)
        if _RANK[have] < _RANK[role]:
            raise PermissionDeniedException(f"this action needs the {role.value} role")

    return guard
