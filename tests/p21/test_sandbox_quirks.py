"""The sandbox reproduces the P21 behaviours that break naive clients (P21_API.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stripe_p21.connectors.p21.transaction import build_order, build_order_flags
from stripe_p21.sandbox.p21.app import SandboxApp

from .factories import order_draft

TX = "/uiserver0/api/v2/transaction"


def order_body(**changes: Any) -> dict[str, Any]:
    return build_order(order_draft(**changes))


async def test_failed_transaction_is_http_200_with_summary(raw: httpx.AsyncClient) -> None:
    body = order_body(customer_id=999999)
    answer = await raw.post(TX, json=body)
    assert answer.status_code == 200
    data = answer.json()
    assert data["Summary"] == {"Succeeded": 0, "Failed": 1, "Other": 0}
    assert data["Messages"] == ["Transaction 1:: Customer ID 999999 does not exist"]
    assert data["Results"]["Transactions"][0]["Status"] == "Failed"


async def test_transactions_in_one_post_are_independent(raw: httpx.AsyncClient) -> None:
    good, bad = order_body(), order_body(customer_id="")
    body = {**good, "Transactions": good["Transactions"] + bad["Transactions"]}
    data = (await raw.post(TX, json=body)).json()
    assert data["Summary"] == {"Succeeded": 1, "Failed": 1, "Other": 0}
    assert data["Messages"] == ["Transaction 2:: Customer ID is required"]


async def test_status_existing_unknown_service_and_bad_body(raw: httpx.AsyncClient) -> None:
    body = order_body()
    body["Transactions"][0]["Status"] = "Existing"
    existing = await raw.post(TX, json=body)
    assert existing.status_code == 500 and existing.json()["ErrorMessage"]

    unknown = await raw.post(TX, json={**order_body(), "Name": "Frobnicate"})
    assert unknown.status_code == 500 and unknown.content == b""

    garbled = await raw.post(TX, content=b"{not json", headers={"Content-Type": "application/json"})
    assert garbled.status_code == 400
    assert garbled.json()["ModelState"]["content"] == ["The content field is required."]


async def test_missing_accept_json_gives_an_empty_500(raw: httpx.AsyncClient) -> None:
    answer = await raw.post(TX, json=order_body(), headers={"Accept": "*/*"})
    assert answer.status_code == 500 and answer.content == b""


async def test_company_id_edit_is_refused(raw: httpx.AsyncClient) -> None:
    data = (await raw.post(TX, json=order_body(extra_edits=(("company_id", "ACME"),)))).json()
    assert data["Messages"] == ["Transaction 1:: Column is disabled: company_id"]
    edits = [{"Name": "customer_id", "Value": "100001"}, {"Name": "company_id", "Value": "X"}]
    form = {"Name": "TABPAGE_1.customer", "Type": "Form", "Keys": [], "Rows": [{"Edits": edits}]}
    customer = {"Name": "Customer", "Transactions": [{"Status": "New", "DataElements": [form]}]}
    data = (await raw.post(TX, json=customer)).json()
    assert data["Messages"] == ["Transaction 1:: Column is disabled: company_id"]


async def test_duplicate_items_collapse_without_keys(raw: httpx.AsyncClient) -> None:
    from stripe_p21.connectors.p21 import OrderLine

    body = order_body(lines=(OrderLine("WIDGET-001", 2), OrderLine("WIDGET-001", 3)), payment=None)
    items = body["Transactions"][0]["DataElements"][1]
    keyed = (await raw.post(TX, json=body)).json()
    items["Keys"] = []
    for row in items["Rows"]:
        row["Edits"] = [e for e in row["Edits"] if e["Name"] != "user_line_no"]
    unkeyed = (await raw.post(TX, json=body)).json()

    def lines(answer: dict[str, Any]) -> list[str]:
        element = answer["Results"]["Transactions"][0]["DataElements"][1]
        return [next(e["Value"] for e in r["Edits"] if e["Name"] == "unit_quantity")
                for r in element["Rows"]]  # fmt: skip

    assert lines(keyed) == ["2", "3"]
    assert lines(unkeyed) == ["3"]  # the second row edited the first line


async def test_order_numbers_and_keyed_updates(raw: httpx.AsyncClient) -> None:
    created = (await raw.post(TX, json=order_body())).json()
    header = created["Results"]["Transactions"][0]["DataElements"][0]["Rows"][0]["Edits"]
    order_no = next(e["Value"] for e in header if e["Name"] == "order_no")
    assert len(order_no) == 7 and order_no.isdigit()
    flags = await raw.post(TX, json=build_order_flags(order_no, [("approved", "N")]))
    assert flags.json()["Summary"]["Succeeded"] == 1
    rest = (await raw.get(f"/api/sales/orders/{order_no}")).json()
    assert rest["Approved"] == "N" and len(rest["Lines"]["list"]) == 2
    key = {"DataElementName": "TABPAGE_1.order", "Keys": [{"Name": "order_no", "Value": order_no}]}
    got = await raw.post(f"{TX}/get", json={"ServiceName": "Order", "TransactionStates": [key]})
    assert got.json()["Transactions"][0]["Status"] == "Passed"


async def test_entity_keys_slashes_and_envelopes(raw: httpx.AsyncClient) -> None:
    assert (await raw.get("/api/entity/customers/ACME_100001")).status_code == 200
    bare = await raw.get("/api/entity/customers/100001")
    assert bare.status_code == 404
    assert bare.json()["ErrorType"].endswith("ResourceNotFoundException")
    assert set(bare.json()) == {"DateTimeStamp", "ErrorMessage", "ErrorType", "HostName",
                                "InnerException", "LogId", "StackTrace", "UserId"}  # fmt: skip
    redirect = await raw.get("/api/entity/customers", params={"$query": "x"})
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/api/entity/customers/?%24query=x"
    moved = await raw.put("/api/entity/customers/ACME_100001", json={"CompanyId": "OTHER"})
    assert (
        moved.status_code == 500
        and moved.json()["ErrorMessage"] == "Column is disabled: company_id"
    )
    assert (await raw.get("/api/inventory/parts/NOPE")).status_code == 404
    assert (await raw.get("/api/accounting/gl/999999")).json() == []


async def test_tokens_need_valid_credentials(raw: httpx.AsyncClient) -> None:
    wrong = await raw.post("/api/security/token/v2", json={"username": "api_user", "password": "x"})
    assert wrong.status_code == 401
    legacy = await raw.post(
        "/api/security/token", headers={"username": "api_user", "password": "p21-sandbox"}
    )
    assert legacy.status_code == 200 and legacy.json()["AccessToken"]
    anonymous = await raw.get("/api/inventory/parts/WIDGET-001", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert anonymous.json()["ErrorMessage"] == "You are not authorized to access API"


async def test_single_session_mode_invalidates_older_tokens(sandbox_app: SandboxApp) -> None:
    tokens = sandbox_app.sandbox.tokens
    tokens.single_session = True
    first, second = tokens.issue("api_user"), tokens.issue("api_user")
    assert tokens.check(first.token) is None and tokens.check(second.token) is not None


@pytest.mark.parametrize(
    "path",
    ["/api/v2/customers", "/api/v2/salesorders", "/api/v2/invoices", "/api/v2/creditmemos"],
)
async def test_aliases_are_marked(raw: httpx.AsyncClient, path: str) -> None:
    answer = await raw.get(path)
    assert answer.status_code == 200 and answer.headers["X-Sandbox-Alias"] == "true"


async def test_state_as_json_and_html(raw: httpx.AsyncClient) -> None:
    await raw.post(TX, json=order_body())
    data = (await raw.get("/sandbox/state")).json()
    seeded = data["counts"]["seeded_orders"]
    assert seeded == len(data["seeded_orders"]) == 40
    invoiced = data["counts"]["invoices"]
    assert invoiced == len(data["invoices"]) == 300
    assert data["counts"]["orders"] == seeded + invoiced + 1  # open, invoiced and the new one
    assert len(data["orders"]) == 1 and data["orders"][0]["Lines"]["list"]
    page = await raw.get("/sandbox/state", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "<table>" in page.text


async def test_faults_can_be_changed_while_running(raw: httpx.AsyncClient) -> None:
    assert (await raw.put("/sandbox/faults", json={"error_rate": 1.0})).status_code == 200
    assert (await raw.get("/api/inventory/parts/WIDGET-001")).status_code == 503
    assert (await raw.get("/sandbox/state")).status_code == 200  # admin stays reachable
    await raw.delete("/sandbox/faults")
    await raw.put("/sandbox/faults", json={"outage_seconds": 30})
    assert (await raw.get("/api/inventory/parts/WIDGET-001")).status_code == 503
    await raw.delete("/sandbox/faults")
    await raw.put("/sandbox/faults", json={"session_pool_rate": 1.0})
    pool = await raw.post(TX, json=order_body())
    assert pool.status_code == 500 and "Unexpected response window" in pool.json()["ErrorMessage"]
    assert (await raw.put("/sandbox/faults", json={"error_rate": 2})).status_code == 400
