"""`/api/review-items` on both backends: filters, counts and pages; the detail with evidence,
document links and audit trail; retry / resolve / dismiss with a required note, 409 when the
item is not open, roles, and a retry that replays the linked event."""

from __future__ import annotations

from typing import Any

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from stripe_p21.db.types import utcnow
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.review.service import ReviewRequest, raise_item
from tests.support.factories import effect_event
from tests.support.handlers import set_marker
from tests.support.stack import Stack

URL = "/api/review-items"


async def _token(stack: Stack, role: TokenRole) -> dict[str, str]:
    token = await create_token(stack.services.sessions, name=f"ana-{role}", role=role)
    return {"Authorization": f"Bearer {token}"}


async def _raise(stack: Stack, **fields: Any) -> int:
    request = ReviewRequest(**({"title": "something", "queue": "mapping"} | fields))
    async with stack.services.sessions() as session, session.begin():
        item = await raise_item(session, request)
        assert item.id is not None
        return item.id


async def _seed(stack: Stack) -> dict[str, int]:
    ids = {
        "item": await _raise(stack, reason="unknown_item", stripe_object_id="ch_Unknown1item",
                             message="Item SAMPLE-PACK unknown for ch_Unknown1item", priority=2,
                             evidence={"item_id": "SAMPLE-PACK"}),
        "dba": await _raise(stack, queue="customer_match", reason="dba_name",
                            stripe_object_id="cus_Dba1name", message="DBA name for cus_Dba1name"),
        "fraud": await _raise(stack, queue="fraud", reason="review_opened",
                              stripe_object_id="prv_Review1", priority=1,
                              evidence={"stripe_charge_id": "ch_Held1charge"}),
    }  # fmt: skip
    async with stack.services.sessions() as session, session.begin():
        session.add(
            SyncLink(stripe_object_id="ch_Held1charge", stripe_object_type="charge",
                     p21_kind="order", p21_document_no="1000301", status="held",
                     currency="usd", amount_minor=12_550, mapping_version="test-1",
                     created_at=utcnow(), updated_at=utcnow())
        )  # fmt: skip
    return ids


async def test_list_filters_counts_and_pages(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    ids = await _seed(stack)
    everything = (await stack.client.get(URL, headers=viewer)).json()
    assert [row["id"] for row in everything["data"]] == sorted(ids.values(), reverse=True)
    assert everything["counts"] == {
        "mapping": {"open": 1}, "customer_match": {"open": 1}, "fraud": {"open": 1}
    }  # fmt: skip
    fraud = (await stack.client.get(URL, params={"queue": "fraud"}, headers=viewer)).json()
    assert [row["id"] for row in fraud["data"]] == [ids["fraud"]]
    assert fraud["counts"]["mapping"] == {"open": 1}, "counts ignore the queue filter"
    for params, expected in [
        ({"reason": "dba_name"}, [ids["dba"]]),
        ({"priority": 2}, [ids["item"]]),
        ({"stripe_object_id": "ch_Unknown1item"}, [ids["item"]]),
        ({"status": "resolved"}, []),
    ]:
        page = (await stack.client.get(URL, params=params, headers=viewer)).json()
        assert [row["id"] for row in page["data"]] == expected, params
    item = (await stack.client.get(f"{URL}/{ids['item']}", headers=viewer)).json()["item"]
    same = await stack.client.get(URL, params={"fingerprint": item["fingerprint"]}, headers=viewer)
    assert [row["id"] for row in same.json()["data"]] == [ids["item"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await stack.client.get(URL, params=params, headers=viewer)).json()
        seen += [row["id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids.values(), reverse=True)
    assert (
        await stack.client.get(URL, params={"status": "nope"}, headers=viewer)
    ).status_code == 400
    assert (await stack.client.get(URL)).status_code == 401


async def test_detail_has_evidence_documents_and_audit(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    ids = await _seed(stack)
    detail = (await stack.client.get(f"{URL}/{ids['fraud']}", headers=viewer)).json()
    assert detail["item"]["queue"] == "fraud" and detail["item"]["status"] == "open"
    assert detail["evidence"] == {"stripe_charge_id": "ch_Held1charge"}
    assert [(d["p21_kind"], d["p21_document_no"], d["status"]) for d in detail["documents"]] == [
        ("order", "1000301", "held")
    ]
    assert [entry["action"] for entry in detail["audit_log"]] == ["raised"]
    assert (await stack.client.get(f"{URL}/999999", headers=viewer)).status_code == 404


async def test_actions_need_a_note_a_reviewer_and_an_open_item(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    reviewer = await _token(stack, TokenRole.REVIEWER)
    ids = await _seed(stack)
    resolve = f"{URL}/{ids['item']}/resolve"
    assert (await stack.client.post(resolve, json={"note": "x"}, headers=viewer)).status_code == 403
    for body in ({}, {"note": "   "}, None):
        answer = await stack.client.post(resolve, json=body, headers=reviewer)
        assert answer.status_code == 400, answer.text
        assert "note is required" in answer.text
    done = await stack.client.post(resolve, json={"note": "mapped SAMPLE-PACK"}, headers=reviewer)
    assert done.status_code == 200, done.text
    detail = done.json()
    assert detail["item"]["status"] == "resolved"
    assert detail["item"]["resolved_by"] == f"token:ana-{TokenRole.REVIEWER}"
    assert detail["resolution_note"] == "mapped SAMPLE-PACK"
    assert [(e["action"], e["note"]) for e in detail["audit_log"]] == [
        ("raised", "something"), ("resolve", "mapped SAMPLE-PACK")
    ]  # fmt: skip
    again = await stack.client.post(resolve, json={"note": "twice"}, headers=reviewer)
    assert again.status_code == 409
    dismissed = await stack.client.post(
        f"{URL}/{ids['dba']}/dismiss", json={"note": "same company"}, headers=reviewer
    )
    assert dismissed.json()["item"]["status"] == "dismissed"
    no_event = await stack.client.post(
        f"{URL}/{ids['fraud']}/retry", json={"note": "try"}, headers=reviewer
    )
    assert no_event.status_code == 409 and "no event" in no_event.text
    counts = (await stack.client.get(URL, headers=viewer)).json()["counts"]
    assert counts["mapping"] == {"resolved": 1} and counts["customer_match"] == {"dismissed": 1}


async def _item_for(stack: Stack, event_id: str) -> dict[str, Any]:
    viewer = await _token(stack, TokenRole.VIEWER)
    page = (await stack.client.get(URL, params={"queue": "sync"}, headers=viewer)).json()
    found = [row for row in page["data"] if row["event_id"] == event_id]
    assert len(found) == 1, page
    return dict(found[0])


async def test_retry_replays_the_event_and_a_fixed_cause_processes_it(stack: Stack) -> None:
    reviewer = await _token(stack, TokenRole.REVIEWER)
    await set_marker(stack.services.sessions, "erp-down", True)
    event = effect_event(fail_while_marker="erp-down")
    await stack.post_event(event)
    assert (await stack.settle(event["id"], within=60)).status == "dead"
    item = await _item_for(stack, event["id"])
    assert item["reason"] == "dead"
    await set_marker(stack.services.sessions, "erp-down", False)
    answer = await stack.client.post(
        f"{URL}/{item['id']}/retry", json={"note": "P21 is back"}, headers=reviewer
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["item"]["status"] == "retried"
    assert (await stack.settle(event["id"], within=60)).status == "processed"
    assert await stack.effects(event["id"]) == 1


async def test_a_retry_that_fails_again_reopens_the_item(stack: Stack) -> None:
    reviewer = await _token(stack, TokenRole.REVIEWER)
    event = effect_event(fail_until_attempt=5, fail_kind="permanent")
    await stack.post_event(event)
    assert (await stack.settle(event["id"])).status == "needs_review"
    item = await _item_for(stack, event["id"])
    answer = await stack.client.post(
        f"{URL}/{item['id']}/retry", json={"note": "once more"}, headers=reviewer
    )
    assert answer.status_code == 200, answer.text
    assert (await stack.settle(event["id"])).status == "needs_review"
    viewer = await _token(stack, TokenRole.VIEWER)
    detail = (await stack.client.get(f"{URL}/{item['id']}", headers=viewer)).json()
    assert detail["item"]["status"] == "open"
    assert detail["item"]["occurrences"] == 2
    assert [e["action"] for e in detail["audit_log"]] == ["raised", "retry", "reopened"]


async def test_the_api_is_in_the_openapi_schema(stack: Stack) -> None:
    schema = (await stack.client.get("/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {URL, f"{URL}/{{item_id}}", f"{URL}/{{item_id}}/retry", f"{URL}/{{item_id}}/resolve",
            f"{URL}/{{item_id}}/dismiss"} <= paths  # fmt: skip
