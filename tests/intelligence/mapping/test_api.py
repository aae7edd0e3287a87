"""`/api/mappings`: suggest, feedback that changes later suggestions, YAML export, refusals."""

from __future__ import annotations

import yaml

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from tests.support.stack import Stack


async def _token(stack: Stack, role: TokenRole) -> dict[str, str]:
    token = await create_token(stack.services.sessions, name=f"mapping-{role}", role=role)
    return {"Authorization": f"Bearer {token}"}


def _field(body: dict[str, object], name: str) -> dict[str, object]:
    fields = body["fields"]
    assert isinstance(fields, list)
    return next(f for f in fields if f["target_field"] == name)


async def test_suggest_by_catalogue_name(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    answer = await stack.client.post(
        "/api/mappings/suggest",
        json={"source": "stripe.Charge", "target": "p21.SalesOrder"},
        headers=viewer,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "stripe.Charge" and body["reranked"] is False
    total = _field(body, "TotalAmount")["suggested"]
    assert total["source"] == "amount" and total["transform"] == "minor_to_decimal"
    assert total["expression"] == "minor_to_decimal(amount, currency)"
    assert {r["kind"] for r in total["reasons"]} >= {"name", "type", "value"}
    assert _field(body, "Taker")["suggested"] is None


async def test_suggest_with_inline_schema(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    target = {
        "name": "orders",
        "fields": [{"name": "CUST_NO", "type": "integer"}, {"name": "ORD_DT", "type": "date"}],
    }
    answer = await stack.client.post(
        "/api/mappings/suggest",
        json={"source": "charge", "target": target, "top_k": 1},
        headers=viewer,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["target"] == "inline.orders"
    assert _field(body, "CUST_NO")["suggested"]["transform"] == "customer_link"
    assert len(_field(body, "ORD_DT")["candidates"]) == 1


async def test_bad_requests_get_a_clear_400(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    post = stack.client.post
    assert (
        await post("/api/mappings/suggest", json={"source": "stripe.Charge"})
    ).status_code == 401
    cases = [
        ({"source": "stripe.Charge"}, "send `source` and `target`"),
        ({"source": "stripe.Nope", "target": "p21.SalesOrder"}, "no schema"),
        ({"source": "stripe.Charge", "target": {"name": "x"}}, "needs `fields`"),
        ({"source": "stripe.Charge", "target": "p21.SalesOrder", "top_k": 0}, "top_k"),
        ({"source": "stripe.Charge", "target": "p21.SalesOrder", "rerank": "yes"}, "rerank"),
    ]
    for body, message in cases:
        answer = await post("/api/mappings/suggest", json=body, headers=viewer)
        assert answer.status_code == 400, (body, answer.text)
        assert message in answer.json()["detail"]


async def test_feedback_changes_suggestions_and_exports_yaml(stack: Stack) -> None:
    viewer = await _token(stack, TokenRole.VIEWER)
    reviewer = await _token(stack, TokenRole.REVIEWER)
    decision = {
        "source_schema": "Charge",
        "target_schema": "SalesOrder",
        "target_field": "PaymentAmount",
        "source": "amount_captured",
        "transform": "minor_to_decimal",
        "accepted": True,
        "note": "captured is what was actually paid",
    }
    refused = await stack.client.post("/api/mappings/feedback", json=decision, headers=viewer)
    assert refused.status_code == 403
    stored = await stack.client.post("/api/mappings/feedback", json=decision, headers=reviewer)
    assert stored.status_code == 201, stored.text
    assert stored.json()["source_schema"] == "stripe.Charge"
    assert stored.json()["decided_by"] == "mapping-reviewer"
    reject = decision | {"target_field": "OrderDate", "source": "created", "accepted": False}
    reject.pop("transform")
    assert (
        await stack.client.post("/api/mappings/feedback", json=reject, headers=reviewer)
    ).status_code == 201
    body = (
        await stack.client.post(
            "/api/mappings/suggest",
            json={"source": "stripe.Charge", "target": "p21.SalesOrder"},
            headers=viewer,
        )
    ).json()
    paid = _field(body, "PaymentAmount")["suggested"]
    assert paid["source"] == "amount_captured" and paid["reasons"][0]["kind"] == "feedback"
    assert "created" not in {c["source"] for c in _field(body, "OrderDate")["candidates"]}
    exported = await stack.client.get(
        "/api/mappings/export",
        params={"source": "stripe.Charge", "target": "p21.SalesOrder"},
        headers=viewer,
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    document = yaml.safe_load(exported.text)
    assert document == {
        "mappings": [
            {
                "source": "stripe.Charge",
                "target": "p21.SalesOrder",
                "fields": {
                    "PaymentAmount": {"from": "amount_captured", "transform": "minor_to_decimal"}
                },
            }
        ]
    }


async def test_feedback_is_validated(stack: Stack) -> None:
    reviewer = await _token(stack, TokenRole.REVIEWER)
    good = {
        "source_schema": "stripe.Charge",
        "target_schema": "p21.SalesOrder",
        "target_field": "TotalAmount",
        "source": "amount",
        "accepted": True,
    }
    cases = [
        (good | {"target_field": "Nope"}, "has no field"),
        (good | {"source": "nope"}, "has no field"),
        (good | {"accepted": "yes"}, "accepted"),
        (good | {"transform": "magic"}, "transform"),
        (good | {"target_schema": "p21.Nope"}, "no schema"),
    ]
    for body, message in cases:
        answer = await stack.client.post("/api/mappings/feedback", json=body, headers=reviewer)
        assert answer.status_code == 400, (body, answer.text)
        assert message in answer.json()["detail"]
    metadata = good | {"source": "metadata.erp_total"}
    assert (
        await stack.client.post("/api/mappings/feedback", json=metadata, headers=reviewer)
    ).status_code == 201
