"""`POST /api/customers/match` and the decisions endpoints, on both backends."""

from __future__ import annotations

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from stripe_p21.intelligence.matching.index import CustomerIndexStore, index_row
from stripe_p21.intelligence.matching.model import MatchModel
from tests.support.stack import Stack


async def _token(stack: Stack, role: TokenRole) -> dict[str, str]:
    token = await create_token(stack.services.sessions, name=f"match-{role}", role=role)
    return {"Authorization": f"Bearer {token}"}


async def _seed_index(stack: Stack) -> None:
    from datetime import UTC, datetime

    from stripe_p21.connectors.p21.schemas import Address, CustomerRow, P21Customer

    now = datetime.now(UTC)
    customer = P21Customer(
        customer_id=100001, company_id="ACME", name="Midwest Industrial Supply Inc.",
        email="ap@midwestindustrial.com", phone="(216) 555-0101",
        address=Address(line1="100 Main St", city="Cleveland", postal_code="44101"),
        terms_id=None, credit_limit=None, credit_status=None, currency_id=None, raw={},
    )  # fmt: skip
    row = CustomerRow(100001, customer.name, "ACME", False, now)
    async with stack.services.sessions() as session:
        await session.merge(index_row(customer, row, now))
        await session.commit()
    assert len(await CustomerIndexStore(stack.services.sessions).records()) == 1


async def test_match_needs_a_token_and_valid_input(stack: Stack) -> None:
    body = {"customer": {"name": "Midwest Ind. Sply"}}
    assert (await stack.client.post("/api/customers/match", json=body)).status_code == 401
    viewer = await _token(stack, TokenRole.VIEWER)
    empty = await stack.client.post("/api/customers/match", json={"customer": {}}, headers=viewer)
    assert empty.status_code == 400
    assert "at least a name" in empty.text
    wrong = {"customer": {"name": "X", "address": "somewhere"}}
    bad = await stack.client.post("/api/customers/match", json=wrong, headers=viewer)
    assert bad.status_code == 400


async def test_match_ranks_and_decisions_are_honoured(stack: Stack) -> None:
    await _seed_index(stack)
    viewer = await _token(stack, TokenRole.VIEWER)
    reviewer = await _token(stack, TokenRole.REVIEWER)
    customer = {"id": "cus_api1", "name": "MIDWEST IND. SPLY", "email": "ap@midwestindustrial.com",
                "phone": "216-555-0101", "address": {"postal_code": "44101"}}  # fmt: skip
    answer = await stack.client.post(
        "/api/customers/match", json={"customer": customer}, headers=viewer
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["decision"] == "link" and body["p21_customer_id"] == 100001
    assert body["model_version"] == MatchModel.load().version
    assert body["candidates"][0]["evidence"]["phone_equal"] == 1.0
    decision = {"stripe_customer_id": "cus_api1", "decision": "reject", "p21_customer_id": 100001,
                "features": body["candidates"][0]["evidence"]}  # fmt: skip
    refused = await stack.client.post(
        "/api/customers/match/decisions", json=decision, headers=viewer
    )
    assert refused.status_code == 403
    saved = await stack.client.post(
        "/api/customers/match/decisions", json=decision, headers=reviewer
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["reviewer"] == "match-reviewer"
    again = await stack.client.post(
        "/api/customers/match", json={"customer": customer}, headers=viewer
    )
    assert again.json()["decision"] == "new"
    admin = await _token(stack, TokenRole.ADMIN)
    export = await stack.client.get("/api/customers/match/decisions/export", headers=admin)
    assert export.status_code == 200
    assert export.json()[0]["label"] == 0


async def test_new_decision_takes_no_p21_id(stack: Stack) -> None:
    reviewer = await _token(stack, TokenRole.REVIEWER)
    bad = {"stripe_customer_id": "cus_x", "decision": "new", "p21_customer_id": 5}
    answer = await stack.client.post("/api/customers/match/decisions", json=bad, headers=reviewer)
    assert answer.status_code == 400
