"""The Stripe sandbox as a Litestar app: Stripe's auth, headers, idempotency and error envelopes
around the HTTP-free `api.handle`, plus `/_sandbox` admin routes for scenarios and tests."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from typing import Any

import structlog
from litestar import Litestar, Request, Response, route
from litestar.exceptions import HTTPException

from stripe_p21.sandbox.stripe import api
from stripe_p21.sandbox.stripe.admin import admin_routes
from stripe_p21.sandbox.stripe.forms import FormError, decode
from stripe_p21.sandbox.stripe.ids import IdFactory
from stripe_p21.sandbox.stripe.mutations import OpContext
from stripe_p21.sandbox.stripe.service import SandboxConfig, StripeSandbox
from stripe_p21.sandbox.stripe.store import RequestInfo, StoredResponse
from stripe_p21.sandbox.stripe.wire import ApiError

_log = structlog.get_logger(__name__)
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
)


def json_response(status: int, body: Any, headers: dict[str, str]) -> Response[bytes]:
    """A pretty-printed JSON response, as Stripe sends them."""
    content = json.dumps(body, indent=2).encode("utf-8")
    return Response(content, status_code=status, media_type="application/json", headers=headers)


def api_key_of(request: Request[Any, Any, Any]) -> str | None:
    """The secret key from `Authorization: Bearer …` (or Basic auth with the key as user)."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode("utf-8").split(":", 1)[0] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def authenticate(sandbox: StripeSandbox, request: Request[Any, Any, Any]) -> str:
    """The caller's key, or a 401 `ApiError` worded as Stripe words it."""
    key = api_key_of(request)
    if key is None:
        raise ApiError(401, _NO_KEY)
    if not sandbox.accepts_key(key):
        raise ApiError(401, f"Invalid API Key provided: {key[:8]}{'*' * 8}{key[-4:]}")
    return key


class _Gate:
    """Serialises state changes so an idempotent replay and its original never interleave."""

    def __init__(self, sandbox: StripeSandbox) -> None:
        self.sandbox = sandbox
        self.lock = threading.Lock()
        self.request_ids = IdFactory()
        """Unseeded, so request ids never shift the seeded object ids of a scenario."""

    def serve(
        self, key: str, method: str, path: str, raw: bytes, info: RequestInfo
    ) -> tuple[int, Any, dict[str, str]]:
        params = decode(raw)
        ctx = OpContext(self.sandbox.store, info)
        scope = hashlib.sha256(key.encode()).hexdigest()[:16]
        fingerprint = hashlib.sha256(method.encode() + path.encode() + raw).hexdigest()
        with self.lock:
            if method == "POST" and info.idempotency_key:
                stored = self.sandbox.store.recall(scope, info.idempotency_key)
                if stored is not None:
                    return self._replay(stored, fingerprint, info.idempotency_key)
            status, body = self._call(ctx, method, path, params)
            if method == "POST" and info.idempotency_key and status < 500:
                saved = StoredResponse(fingerprint, status, json.dumps(body))
                self.sandbox.store.remember(scope, info.idempotency_key, saved)
        return status, body, {}

    @staticmethod
    def _call(ctx: OpContext, method: str, path: str, params: dict[str, Any]) -> tuple[int, Any]:
        try:
            return 200, api.handle(ctx, method, path, params)
        except ApiError as exc:
            return exc.status, exc.envelope()

    @staticmethod
    def _replay(
        stored: StoredResponse, fingerprint: str, key: str
    ) -> tuple[int, Any, dict[str, str]]:
        if stored.fingerprint != fingerprint:
            message = (
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request."
            )
            error = ApiError(400, message, type="idempotency_error")
            return 400, error.envelope(), {}
        return stored.status, json.loads(stored.body), {"Idempotent-Replayed": "true"}


def _stripe_api(sandbox: StripeSandbox, gate: _Gate) -> Any:
    @route("/v1/{path:path}", http_method=["GET", "POST", "DELETE"], include_in_schema=False)
    async def stripe_api(request: Request[Any, Any, Any]) -> Response[bytes]:
        request_id = gate.request_ids.new("req")
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": request.headers.get("stripe-version") or sandbox.config.api_version,
        }
        method, path = request.method.upper(), request.url.path
        idempotency_key = request.headers.get("idempotency-key") or None
        if idempotency_key and method == "POST":
            headers["Idempotency-Key"] = idempotency_key
        try:
            key = authenticate(sandbox, request)
            fault = sandbox.faults.take(method, path)
            if fault is not None:
                if fault.retry_after is not None:
                    headers["Retry-After"] = f"{fault.retry_after:g}"
                raise fault.error()
            raw = await request.body() if method == "POST" else request.url.query.encode()
            info = RequestInfo(request_id, idempotency_key)
            status, body, extra = gate.serve(key, method, path, raw, info)
        except FormError as exc:
            status, body, extra = 400, ApiError(400, str(exc), param=exc.param).envelope(), {}
        except ApiError as exc:
            status, body, extra = exc.status, exc.envelope(), {}
        _log.info("sandbox.request", method=method, path=path, status=status, request_id=request_id)
        return json_response(status, body, {**headers, **extra})

    return stripe_api


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if exc.status_code >= 500:
        return _internal_error(request, exc)
    message = f"Unrecognized request URL ({request.method}: {request.url.path})."
    return json_response(exc.status_code, ApiError(exc.status_code, message).envelope(), {})


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    _log.error("sandbox.internal_error", path=request.url.path, exc_info=exc)
    error = ApiError(500, "An unknown error occurred in the Stripe sandbox.", type="api_error")
    return json_response(500, error.envelope(), {})


def create_app(
    sandbox: StripeSandbox | None = None, config: SandboxConfig | None = None
) -> Litestar:
    """The sandbox app. It starts webhook delivery on startup; it stops (and closes) only a
    sandbox it built itself — a sandbox passed in belongs to the caller."""
    box = sandbox or StripeSandbox(config)
    gate = _Gate(box)
    app = Litestar(
        route_handlers=[_stripe_api(box, gate), *admin_routes(box, authenticate)],
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
        on_startup=[box.start],
        on_shutdown=[] if sandbox is not None else [box.stop],
        openapi_config=None,
        logging_config=None,  # leave logging to the process (ours, or the CLI's)
    )
    app.state.sandbox = box
    return app
