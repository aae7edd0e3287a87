"""OData reads: ``GET /odataservice/odata/table/{table}`` with P21's 400/404 behaviour.

Syntax errors are 400, anything unbindable (unknown table or column, type mismatch) is 404, as on
P21; the answer never carries ``@odata.nextLink``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from stripe_p21.sandbox.p21.odata_parser import ODataNotFound, ODataSyntaxError
from stripe_p21.sandbox.p21.odata_query import run_query
from stripe_p21.sandbox.p21.runtime import base_url, require_token, sandbox_of
from stripe_p21.sandbox.p21.wire import json_response


def odata_error(status: int, message: str) -> Response[bytes]:
    return json_response({"error": {"code": "", "message": message}}, status)


@get("/odataservice/odata/table/{table:str}", guards=[require_token])
async def odata_table(request: Request[Any, Any, Any]) -> Response[bytes]:
    table = request.path_params["table"]
    sandbox = sandbox_of(request)
    sandbox.count("odata_queries")
    options = {key: request.query_params.get(key) or "" for key in request.query_params}
    try:
        body = run_query(sandbox.store, table, options, base_url(request))
    except ODataSyntaxError as exc:
        return odata_error(400, str(exc))
    except ODataNotFound as exc:
        return odata_error(404, str(exc))
    return json_response(body)


ROUTES = [odata_table]
