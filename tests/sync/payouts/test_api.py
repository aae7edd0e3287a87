"""`/api/reconciliation/payouts`: bearer token, the run with its lines, totals and GL document,
and the list with its filters."""

from __future__ import annotations

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from stripe_p21.pipeline.mapping.config import load_mapping
from stripe_p21.pipeline.mapping.payouts import payout_journal
from stripe_p21.pipeline.mapping.reconcile import reconcile_payout
from stripe_p21.pipeline.sync.links import record_link
from stripe_p21.pipeline.sync.payouts import store_run
from tests.support.stack import Stack
from tests.sync.payouts.conftest import MAPPING
from tests.sync.payouts.scenario_payouts import correct_links, payouts


async def _seed(stack: Stack) -> list[str]:
    mapping = load_mapping(MAPPING)
    chosen = [p for p in payouts() if p.view.currency in ("jpy", "usd")][:3]
    async with stack.services.sessions() as session, session.begin():
        for n, payout in enumerate(chosen):
            result = reconcile_payout(payout.view, payout.txns, correct_links(payout))
            journal = payout_journal(payout.view, payout.txns, mapping)
            await store_run(session, result, gl_no=str(50001 + n), mapping_version=mapping.version)
            await record_link(
                session, stripe_object_id=payout.view.id, stripe_object_type="payout",
                kind="gl_payout", p21_document_no=str(50001 + n),
                mapping_version=mapping.version, currency=payout.view.currency,
                amount_minor=payout.view.amount, details={"journal": journal.as_truth()},
            )  # fmt: skip
    return [p.view.id for p in chosen]


async def test_reconciliation_api(stack: Stack) -> None:
    ids = await _seed(stack)
    assert (await stack.client.get(f"/api/reconciliation/payouts/{ids[0]}")).status_code == 401
    token = await create_token(stack.services.sessions, name="viewer", role=TokenRole.VIEWER)
    auth = {"Authorization": f"Bearer {token}"}

    answer = await stack.client.get(f"/api/reconciliation/payouts/{ids[0]}", headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    truth = next(p for p in payouts() if p.view.id == ids[0])
    assert body["run"]["status"] == truth.reconciliation_truth["status"]
    assert body["run"]["amount"] == truth.gl_truth["amount"]
    assert body["run"]["unexplained_remainder"] in ("0", "0.00")
    assert len(body["lines"]) == body["run"]["transactions"] == len(truth.txns)
    assert sum(t["count"] for t in body["totals"]) == len(body["lines"])
    assert body["gl"]["transaction_number"] == "50001"
    assert body["gl"]["entry"] == truth.gl_truth

    listed = (await stack.client.get("/api/reconciliation/payouts", headers=auth)).json()
    assert listed["total"] == 3 and {r["payout_id"] for r in listed["data"]} == set(ids)
    jpy = await stack.client.get("/api/reconciliation/payouts?currency=JPY", headers=auth)
    assert [r["currency"] for r in jpy.json()["data"]] == ["jpy"]
    breaks = await stack.client.get("/api/reconciliation/payouts?status=breaks", headers=auth)
    assert all(r["status"] == "breaks" for r in breaks.json()["data"])
    missing = await stack.client.get("/api/reconciliation/payouts/po_nope", headers=auth)
    assert missing.status_code == 404
