"""The sandbox's REST surface without HTTP: route a method and path to list, retrieve, create or
update, and answer in Stripe's shapes. The Litestar app adds auth, idempotency and headers."""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.stripe.forms import as_int, as_list
from stripe_p21.sandbox.stripe.mutations import OpContext, update_object
from stripe_p21.sandbox.stripe.payments import confirm_payment_intent
from stripe_p21.sandbox.stripe.query import Filter
from stripe_p21.sandbox.stripe.resources import BY_PATH, Resource, match
from stripe_p21.sandbox.stripe.store import StripeObj
from stripe_p21.sandbox.stripe.wire import ApiError, expand, invalid, list_envelope, missing

_PAGING = {"limit", "starting_after", "ending_before", "created", "expand"}
_RANGE_OPS = ("gt", "gte", "lt", "lte")


def handle(ctx: OpContext, method: str, path: str, params: dict[str, Any]) -> StripeObj:
    """Serve one API call; raises `ApiError` for anything Stripe would refuse."""
    found = match(path)
    if found is None:
        raise _unrecognised(method, path)
    resource, rest = found
    if method == "GET" and not rest:
        return _list(ctx, resource, params, f"/v1/{resource.path}")
    if method == "GET" and len(rest) == 1:
        return _expanded(ctx, _load(ctx, resource, rest[0]), params)
    if method == "GET" and resource.path == "charges" and rest[1:] == ["refunds"]:
        _load(ctx, resource, rest[0])
        scoped = {**params, "charge": rest[0]}
        return _list(ctx, BY_PATH["refunds"], scoped, f"/v1/charges/{rest[0]}/refunds")
    if method == "POST":
        return _expanded(ctx, _post(ctx, resource, rest, params), params)
    raise _unrecognised(method, path)


def _post(ctx: OpContext, resource: Resource, rest: list[str], params: StripeObj) -> StripeObj:
    body = {key: value for key, value in params.items() if key != "expand"}
    if not rest and resource.create is not None:
        return resource.create(ctx, body)
    if len(rest) == 1:
        return update_object(ctx, _load(ctx, resource, rest[0]), body)
    if resource.path == "payment_intents" and rest[1:] == ["confirm"]:
        return confirm_payment_intent(ctx, _load(ctx, resource, rest[0]), body)
    raise _unrecognised("POST", f"/v1/{resource.path}/{'/'.join(rest)}")


def _unrecognised(method: str, path: str) -> ApiError:
    message = f"Unrecognized request URL ({method}: {path})."
    return ApiError(404, message, code=None)


def _load(ctx: OpContext, resource: Resource, object_id: str) -> StripeObj:
    obj = ctx.store.get(object_id, resource.object_type)
    if obj is None:
        raise missing(resource.object_type, object_id)
    return obj


def _expanded(ctx: OpContext, obj: StripeObj, params: dict[str, Any]) -> StripeObj:
    return expand(obj, as_list(params, "expand"), ctx.store.get)


def _filters(resource: Resource, params: dict[str, Any]) -> list[Filter]:
    allowed = {*_PAGING, *resource.filters, *(("types",) if resource.path == "events" else ())}
    for name in params:
        if name not in allowed:
            raise invalid(f"Received unknown parameter: {name}", name, "parameter_unknown")
    filters = [Filter(name, "eq", params[name]) for name in resource.filters if params.get(name)]
    filters.extend(_created_filters(params.get("created")))
    if resource.path == "events":
        filters = [f for f in filters if f.field != "type"] + _event_type_filters(params)
    if resource.listed_statuses and not params.get("status"):
        filters.append(Filter("status", "in", resource.listed_statuses))
    return [f for f in filters if not (f.field == "status" and f.value == "all")]


def _created_filters(created: Any) -> list[Filter]:
    if created is None or created == "":
        return []
    if isinstance(created, str):
        return [Filter("created", "eq", as_int({"created": created}, "created"))]
    if not isinstance(created, dict) or not set(created) <= set(_RANGE_OPS):
        raise invalid("Invalid created filter.", "created")
    return [Filter("created", op, as_int(created, op)) for op in _RANGE_OPS if op in created]


def _event_type_filters(params: dict[str, Any]) -> list[Filter]:
    types = as_list(params, "types")
    if params.get("type") and types:
        raise invalid("You may only specify one of these parameters: type, types.", "types")
    if len(types) > 20:
        raise invalid("You may pass at most 20 event types.", "types")
    if types:
        return [Filter("type", "in", types)]
    wanted = str(params.get("type") or "")
    if not wanted:
        return []
    return [Filter("type", "like" if "*" in wanted else "eq", wanted.replace("*", "%"))]


def _list(ctx: OpContext, resource: Resource, params: dict[str, Any], url: str) -> StripeObj:
    limit = as_int(params, "limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise invalid("Invalid integer: limit must be between 1 and 100.", "limit")
    after, before = params.get("starting_after") or None, params.get("ending_before") or None
    try:
        page = ctx.store.list(
            resource.object_type,
            _filters(resource, params),
            limit=limit,
            starting_after=after,
            ending_before=before,
        )
    except LookupError as exc:
        cursor = "starting_after" if after else "ending_before"
        raise missing(resource.object_type, str(exc), param=cursor) from exc
    return _expanded(ctx, list_envelope(page, url), params)
