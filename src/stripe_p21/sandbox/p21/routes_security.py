"""Token calls (v2 JSON body, legacy v1 headers) and the UI-server router.

Every token call opens a session (counted in ``/sandbox/state``); answers are JSON or, for
clients that do not ask for JSON or when ``xml_tokens`` is set, P21's XML ``<Token>``.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from litestar import Request, Response, get, post

from stripe_p21.sandbox.p21.runtime import base_url, require_token, sandbox_of, wants_json
from stripe_p21.sandbox.p21.tokens import Session
from stripe_p21.sandbox.p21.wire import P21Failure, content_required, json_response, not_found

XML_NAMESPACE = "http://distributionsuite.activant.com"
BAD_LOGIN = "The user name or password is incorrect."  # assumed text


def token_answer(request: Request[Any, Any, Any], session: Session) -> Response[bytes]:
    sandbox = sandbox_of(request)
    fields: dict[str, Any] = {
        "AccessToken": session.token,
        "TokenType": "Bearer",
        "UserName": session.user,
        sandbox.config.expires_field: int(sandbox.config.token_lifetime),
        "RefreshToken": "",
        "Scope": "",
        "SessionId": session.session_id,
        "ConsumerUid": "",
        "AppKey": "",
    }
    if wants_json(request) and not sandbox.config.xml_tokens:
        return json_response(fields)
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items())
    xml = f'<Token xmlns="{XML_NAMESPACE}">{inner}</Token>'
    return Response(content=xml.encode(), status_code=200, media_type="application/xml")


@post("/api/security/token/v2")
async def token_v2(request: Request[Any, Any, Any]) -> Response[bytes]:
    sandbox = sandbox_of(request)
    config = sandbox.config
    if not config.token_v2:
        raise not_found("No HTTP resource was found that matches the request URI.")
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise content_required()
    if "ClientSecret" in body:
        ok = body["ClientSecret"] == config.consumer_key
        ok = ok and str(body.get("GrantType", "")).lower() == "client_credentials"
        user = str(body.get("username") or config.username)
    else:
        user = str(body.get("username") or "")
        ok = user == config.username and body.get("password") == config.password
    return _issue(request, user, ok)


@post("/api/security/token")
async def token_v1(request: Request[Any, Any, Any]) -> Response[bytes]:
    config = sandbox_of(request).config
    user = request.headers.get("username", "")
    ok = user == config.username and request.headers.get("password") == config.password
    return _issue(request, user, ok)


def _issue(request: Request[Any, Any, Any], user: str, ok: bool) -> Response[bytes]:
    sandbox = sandbox_of(request)
    sandbox.count("token_requests")
    if not ok:
        sandbox.count("token_refused")
        raise P21Failure(401, BAD_LOGIN, "System.UnauthorizedAccessException")
    return token_answer(request, sandbox.tokens.issue(user))


@get("/api/ui/router/v1", guards=[require_token])
async def ui_router(request: Request[Any, Any, Any]) -> Response[bytes]:
    """``?urlType=external`` → where the Transaction API lives."""
    return json_response({"Url": f"{base_url(request)}/uiserver0"})


ROUTES = [token_v2, token_v1, ui_router]
