"""The sandbox's OData service: the documented subset, and P21's 400/404 for everything else."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stripe_p21.sandbox.p21.app import SandboxApp, create_app
from stripe_p21.sandbox.p21.odata_parser import ODataNotFound, ODataSyntaxError, parse_filter
from stripe_p21.sandbox.p21.odata_query import run_query
from stripe_p21.sandbox.p21.odata_sql import compile_filter
from stripe_p21.sandbox.p21.store import Store
from stripe_p21.sandbox.p21.tables import TABLES

TABLE = "/odataservice/odata/table/"
COLUMNS = {name: (name, kind) for name, kind in TABLES["customer"].items()}
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

atoms = st.sampled_from(
    ["customer_id", "customer_name", "date_last_modified", "credit_limit", "nope", "'A''B'",
     "10", "10.5", "-3", "null", "true", "2024-01-01T00:00:00Z", "2024-13-45", "eq", "ne",
     "gt", "ge", "lt", "le", "and", "or", "not", "in", "(", ")", ",", "startswith", "contains",
     "endswith", "tolower", "'", "$", "@", "''"]
)  # fmt: skip


@FUZZ
@given(st.lists(atoms, max_size=12).map(" ".join))
def test_filter_from_tokens_answers_or_refuses_cleanly(text: str) -> None:
    with contextlib.suppress(ODataSyntaxError, ODataNotFound):
        compile_filter(parse_filter(text), COLUMNS)


@FUZZ
@given(st.text(max_size=60))
def test_filter_from_any_text_answers_or_refuses_cleanly(text: str) -> None:
    with contextlib.suppress(ODataSyntaxError, ODataNotFound):
        compile_filter(parse_filter(text), COLUMNS)


@pytest.fixture(scope="module")
def module_app() -> Iterator[SandboxApp]:
    app = create_app()
    yield app
    app.close()


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=st.lists(atoms, max_size=10).map(" ".join))
def test_the_http_surface_answers_200_400_or_404(module_app: SandboxApp, text: str) -> None:
    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=module_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://p21.test") as client:
            session = module_app.sandbox.tokens.issue("api_user")
            headers = {"Authorization": f"Bearer {session.token}", "Accept": "application/json"}
            return await client.get(TABLE + "customer", params={"$filter": text}, headers=headers)

    answer = asyncio.run(ask())
    assert answer.status_code in (200, 400, 404)
    if answer.status_code != 200:
        assert answer.json()["error"]["message"]


@pytest.fixture(scope="module")
def store() -> Store:
    from stripe_p21.sandbox.p21.seed import generate

    db = Store()
    db.create_and_seed(generate())
    return db


@FUZZ
@given(text=st.lists(atoms, max_size=10).map(" ".join), top=st.sampled_from(["", "5", "x"]))
def test_queries_run_against_sqlite_without_crashing(store: Store, text: str, top: str) -> None:
    options = {"$filter": text, "$top": top} if top else {"$filter": text}
    try:
        body = run_query(store, "customer", options, "http://p21.test")
    except (ODataSyntaxError, ODataNotFound):
        return
    assert "@odata.nextLink" not in body


@pytest.mark.parametrize(
    ("table", "params", "status"),
    [
        ("customer", {"$filter": "customer_id eq 100001"}, 200),
        ("customer", {"$filter": "customer_id eq '100001'"}, 404),  # a number column
        ("invoice_hdr", {"$filter": "customer_id eq 100001"}, 404),  # a string column there
        ("invoice_hdr", {"$filter": "customer_id eq '100001'"}, 200),
        ("customer", {"$filter": "customer_nmae eq 'x'"}, 404),
        ("customer", {"$filter": "customer_name eq"}, 400),
        ("customer", {"$filter": "customer_name eq 'unterminated"}, 400),
        ("customer", {"$filter": "frobnicate(customer_name,'A')"}, 404),
        ("customer", {"$select": "customer_id,nope"}, 404),
        ("customer", {"$orderby": "nope desc"}, 404),
        ("customer", {"$orderby": "customer_id sideways"}, 400),
        ("customer", {"$top": "-1"}, 400),
        ("customer", {"$expand": "x"}, 400),
        ("no_such_table", {}, 404),
    ],
)
async def test_status_codes(
    raw: httpx.AsyncClient, table: str, params: dict[str, str], status: int
) -> None:
    answer = await raw.get(TABLE + table, params=params)
    assert answer.status_code == status, answer.text


async def test_options_select_order_top_skip_count(raw: httpx.AsyncClient) -> None:
    params = {
        "$filter": "startswith(customer_name,'a') and date_last_modified gt 2020-01-01T00:00:00Z",
        "$select": "customer_id,customer_name",
        "$orderby": "customer_id desc",
        "$top": "3",
        "$skip": "1",
        "$count": "true",
    }
    body = (await raw.get(TABLE + "customer", params=params)).json()
    assert set(body) == {"@odata.context", "@odata.count", "value"}
    ids = [row["customer_id"] for row in body["value"]]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    assert all(set(row) == {"customer_id", "customer_name"} for row in body["value"])
    assert body["@odata.count"] > 3
    assert all(row["customer_name"].lower().startswith("a") for row in body["value"])


async def test_in_is_silently_ignored_and_no_top_returns_everything(raw: httpx.AsyncClient) -> None:
    body = (
        await raw.get(TABLE + "inv_mast", params={"$filter": "item_id in ('WIDGET-001')"})
    ).json()
    assert len(body["value"]) == 500 + 3  # the catalogue and the non-stock service items


async def test_string_comparisons_ignore_case_like_sql_server(raw: httpx.AsyncClient) -> None:
    body = (await raw.get(TABLE + "inv_mast", params={"$filter": "item_id eq 'widget-001'"})).json()
    assert [row["item_id"] for row in body["value"]] == ["WIDGET-001"]
