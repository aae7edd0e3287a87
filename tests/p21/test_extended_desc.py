"""A line's extended description (`oe_line.extended_desc`, free text up to 255 characters): the
client sends it as the `TP_ITEMS.items` `extended_desc` edit, the sandbox keeps it on the line and
shows it through OData, sales-order REST, `transaction/get` and `/sandbox/state`, and refuses a
longer one the way P21 refuses a bad edit (HTTP 200, `Summary.Failed`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from stripe_p21.connectors.p21 import OrderLine, P21Client, P21RejectedError
from stripe_p21.connectors.p21.odata import query_table, quote
from stripe_p21.connectors.p21.transaction import ITEMS_LIST, build_order
from stripe_p21.sandbox.p21.config import SandboxConfig
from stripe_p21.sandbox.p21.runtime import build_sandbox
from stripe_p21.sandbox.p21.seed import generate
from stripe_p21.sandbox.p21.store import Store

from .factories import order_draft, stripe_id

TX = "/uiserver0/api/v2/transaction"
TOO_LONG = "extended_desc cannot be longer than 255 characters"


def _service_lines(po_no: str) -> tuple[OrderLine, ...]:
    text = f"Service 2026-11-01 to 2026-11-30 {po_no}"
    return (OrderLine("WIDGET-001", 1, "499.00", extended_desc=text), OrderLine("FAST-0001", 2))


def _line_edits(body: dict[str, Any], row: int = 0) -> list[dict[str, str]]:
    element = next(e for e in body["Transactions"][0]["DataElements"] if e["Name"] == ITEMS_LIST)
    edits: list[dict[str, str]] = element["Rows"][row]["Edits"]
    return edits


def _with_text(body: dict[str, Any], text: str) -> dict[str, Any]:
    """The body with the first line's `extended_desc` edit set to `text`, as given (the client
    itself never sends more than 255 characters)."""
    edits = _line_edits(body)
    edits[:] = [e for e in edits if e["Name"] != "extended_desc"]
    edits.append({"Name": "extended_desc", "Value": text})
    return body


# --- contract: through the client, against the live (loopback) sandbox -------------------------


async def test_line_extended_desc_round_trips_through_odata(live_client: P21Client) -> None:
    po_no = stripe_id()
    draft = order_draft(po_no=po_no, lines=_service_lines(po_no), payment=None)
    text = f"Service 2026-11-01 to 2026-11-30 {po_no}"
    order = await live_client.create_order(draft)

    http = live_client._http
    lines = await query_table(
        http, "oe_line", where=f"order_no eq {quote(order.order_no)}",
        select=("line_no", "item_id", "extended_desc"), orderby="line_no",
    )  # fmt: skip
    assert lines == [
        {"line_no": 1, "item_id": "WIDGET-001", "extended_desc": text},
        {"line_no": 2, "item_id": "FAST-0001", "extended_desc": None},
    ]
    by_text = await query_table(http, "oe_line", where=f"extended_desc eq {quote(text.upper())}",
                                select=("order_no", "line_no"))  # fmt: skip
    assert by_text == [{"order_no": order.order_no, "line_no": 1}]  # case-insensitive, like P21
    both = f"contains(extended_desc, {quote(draft.po_no)}) and startswith(extended_desc, 'Serv')"
    found = await query_table(http, "oe_line", where=both, select=("order_no",))
    assert found == [{"order_no": order.order_no}]
    untexted = await query_table(
        http, "oe_line", select=("line_no",),
        where=f"order_no eq {quote(order.order_no)} and extended_desc eq null",
    )  # fmt: skip
    assert untexted == [{"line_no": 2}]

    read = await live_client.get_order(order.order_no)
    assert [(ln.line_no, ln.extended_desc) for ln in read.lines] == [(1, text), (2, None)]


async def test_the_client_cuts_extended_desc_to_255_characters(live_client: P21Client) -> None:
    draft = order_draft(payment=None, lines=(OrderLine("WIDGET-001", 1, extended_desc="x" * 300),))
    assert _line_edits(build_order(draft))[-1] == {"Name": "extended_desc", "Value": "x" * 255}
    order = await live_client.create_order(draft)
    [line] = await query_table(live_client._http, "oe_line", select=("extended_desc",),
                               where=f"order_no eq {quote(order.order_no)}")  # fmt: skip
    assert line == {"extended_desc": "x" * 255}


# --- sandbox quirks ---------------------------------------------------------------------------


async def test_overlong_extended_desc_is_refused_as_rejected(live_client: P21Client) -> None:
    draft = order_draft()
    body = _with_text(build_order(draft), "y" * 256)
    with pytest.raises(P21RejectedError, match=TOO_LONG) as refused:
        await live_client.submit_transaction(body)
    assert refused.value.status_code == 200  # HTTP said 200; Summary said Failed
    assert await live_client.find_orders_by_reference(draft.po_no) == []  # nothing written

    exactly = order_draft()
    outcome = await live_client.submit_transaction(_with_text(build_order(exactly), "z" * 255))
    assert outcome.value(ITEMS_LIST, "extended_desc") == "z" * 255


async def test_overlong_extended_desc_fails_only_its_transaction(raw: httpx.AsyncClient) -> None:
    good = build_order(order_draft(payment=None))
    bad = _with_text(build_order(order_draft(payment=None)), "y" * 256)
    body = {**good, "Transactions": good["Transactions"] + bad["Transactions"]}
    answer = await raw.post(TX, json=body)
    assert answer.status_code == 200
    data = answer.json()
    assert data["Summary"] == {"Succeeded": 1, "Failed": 1, "Other": 0}
    assert data["Messages"] == [f"Transaction 2:: {TOO_LONG}"]
    rma = {**bad, "Name": "RMA"}
    refused = (await raw.post(TX, json=rma)).json()
    assert refused["Messages"] == [f"Transaction 1:: {TOO_LONG}"]


async def test_every_view_of_a_line_shows_its_extended_desc(raw: httpx.AsyncClient) -> None:
    po_no = stripe_id()
    text = f"Service 2026-11-01 to 2026-11-30 {po_no}"
    body = build_order(order_draft(po_no=po_no, lines=_service_lines(po_no)))
    created = (await raw.post(TX, json=body)).json()
    items = created["Results"]["Transactions"][0]["DataElements"][1]
    assert [_value(row, "extended_desc") for row in items["Rows"]] == [text, ""]
    header = created["Results"]["Transactions"][0]["DataElements"][0]["Rows"][0]
    order_no = _value(header, "order_no")

    key = {"DataElementName": "TABPAGE_1.order", "Keys": [{"Name": "order_no", "Value": order_no}]}
    got = await raw.post(f"{TX}/get", json={"ServiceName": "Order", "TransactionStates": [key]})
    rows = got.json()["Transactions"][0]["DataElements"][1]["Rows"]
    assert [_value(row, "extended_desc") for row in rows] == [text, ""]

    rest = (await raw.get(f"/api/sales/orders/{order_no}")).json()
    assert [ln["ExtendedDesc"] for ln in rest["Lines"]["list"]] == [text, None]
    state = (await raw.get("/sandbox/state")).json()
    [shown] = [o for o in state["orders"] if o["OrderNo"] == order_no]
    assert [ln["ExtendedDesc"] for ln in shown["Lines"]["list"]] == [text, None]
    page = (await raw.get("/sandbox/state", headers={"Accept": "text/html"})).text
    assert text in page and "None" not in page

    # A keyed update edits the text of the line named by its user_line_no.
    update = {"Name": "Order", "Transactions": [{"Status": "New", "DataElements": [
        {"Name": "TABPAGE_1.order", "Type": "Form", "Keys": ["order_no"],
         "Rows": [{"Edits": [{"Name": "order_no", "Value": order_no}]}]},
        {"Name": ITEMS_LIST, "Type": "List", "Keys": ["user_line_no"],
         "Rows": [{"Edits": [{"Name": "user_line_no", "Value": "020"},
                             {"Name": "extended_desc", "Value": "Installation"}]}]},
    ]}]}  # fmt: skip
    assert (await raw.post(TX, json=update)).json()["Summary"]["Succeeded"] == 1
    rest = (await raw.get(f"/api/sales/orders/{order_no}")).json()
    assert [ln["ExtendedDesc"] for ln in rest["Lines"]["list"]] == [text, "Installation"]


async def test_rest_sales_order_takes_extended_desc(raw: httpx.AsyncClient) -> None:
    body = {"CustomerId": 100001, "PoNo": "ch_rest_extended_desc",
            "Lines": {"list": [{"ItemId": "WIDGET-001", "QtyOrdered": 1,
                                "ExtendedDesc": "Service from 2026-11-01"}]}}  # fmt: skip
    answer = await raw.post("/api/sales/orders/", json=body)
    assert answer.status_code == 200, answer.text
    assert [ln["ExtendedDesc"] for ln in answer.json()["Lines"]["list"]] == [
        "Service from 2026-11-01"
    ]


def _value(row: dict[str, Any], name: str) -> str:
    return str(next(e["Value"] for e in row["Edits"] if e["Name"] == name))


# --- a database file kept from an older sandbox ----------------------------------------------


def test_a_database_file_without_the_column_gets_it(tmp_path: Path) -> None:
    path = str(tmp_path / "p21.sqlite")
    old = Store(path)
    old.create_and_seed(generate(7))
    old.db.execute("ALTER TABLE oe_line DROP COLUMN extended_desc")  # as an older sandbox made it
    seeded_lines = old.row("SELECT COUNT(*) AS n FROM oe_line")
    old.close()

    sandbox = build_sandbox(SandboxConfig(db_path=path, seed=7))
    try:
        columns = [row[1] for row in sandbox.store.db.execute("PRAGMA table_info(oe_line)")]
        assert columns[-1] == "extended_desc"
        assert sandbox.store.row("SELECT COUNT(*) AS n FROM oe_line") == seeded_lines  # kept
        draft = order_draft(payment=None, lines=(OrderLine("WIDGET-001", 1, extended_desc="kept"),))
        answer = sandbox.engine.run(json.dumps(build_order(draft)).encode())
        assert answer["Summary"]["Succeeded"] == 1, answer["Messages"]
        row = sandbox.store.row(
            "SELECT o.extended_desc FROM oe_line o JOIN oe_hdr h ON h.order_no = o.order_no "
            "WHERE h.po_no = ?",
            (draft.po_no,),
        )
        assert row == {"extended_desc": "kept"}
    finally:
        sandbox.store.close()
    again = build_sandbox(SandboxConfig(db_path=path, seed=7))  # a second start adds nothing
    try:
        columns = [row[1] for row in again.store.db.execute("PRAGMA table_info(oe_line)")]
        assert columns.count("extended_desc") == 1
        assert again.store.row("SELECT COUNT(*) AS n FROM oe_line WHERE extended_desc = 'kept'")
    finally:
        again.store.close()


async def test_direct_invoice_alias_keeps_extended_desc(asgi_client: P21Client) -> None:
    po_no = stripe_id()
    draft = order_draft(po_no=po_no, lines=_service_lines(po_no))
    invoice = await asgi_client.create_direct_invoice(draft)
    order = await asgi_client.get_order(invoice.order_no)
    assert [ln.extended_desc for ln in order.lines] == [
        f"Service 2026-11-01 to 2026-11-30 {po_no}",
        None,
    ]
