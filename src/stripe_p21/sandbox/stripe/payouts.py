"""Payout failures: the bank returns a payout, also one that was `paid` already.

`fail_payout(store, "po_…", failure_code="account_closed")` does what Stripe does: the payout
becomes `status: failed` with `failure_code` and `failure_message`, a `payout_failure` balance
transaction (reporting category `payout_reversal`, `+amount`, source the payout) returns the money
to the balance and is named in `failure_balance_transaction`, and `payout.failed` is sent. Failing
a payout that failed already keeps its failure and only sends `payout.failed` again (a second
event id, as a test of duplicate deliveries wants). Admin route:
`POST /_sandbox/payouts/fail {"payout": "po_…", "failure_code": "…", "failure_message": "…"}`.
"""

from __future__ import annotations

from stripe_p21.sandbox.stripe import shapes_payments
from stripe_p21.sandbox.stripe.store import SandboxStore, StripeObj
from stripe_p21.sandbox.stripe.wire import invalid, missing

FAILURE_MESSAGES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "could_not_process": "The bank could not process this payout.",
    "no_account": "The bank account details on file are probably incorrect. No bank account "
    "could be located with those details.",
}
"""Stripe's message for some of its payout `failure_code`s."""
FAILABLE = frozenset({"pending", "in_transit", "paid", "failed"})


def fail_payout(
    store: SandboxStore,
    payout_id: str,
    *,
    failure_code: str = "account_closed",
    failure_message: str | None = None,
) -> StripeObj:
    """Fail the payout as described above; returns the `payout.failed` event."""
    payout = store.get(payout_id, "payout")
    if payout is None:
        raise missing("payout", payout_id, param="payout")
    if payout.get("status") not in FAILABLE:
        raise invalid(f"Payout {payout_id} is {payout.get('status')} and cannot fail.")
    if payout.get("status") != "failed":
        returned = shapes_payments.balance_transaction(
            id=store.ids.for_object("balance_transaction"), created=store.clock.timestamp(),
            amount=int(payout["amount"]), currency=str(payout["currency"]), source=payout_id,
            type="payout_failure", fee=0, reporting_category="payout_reversal",
            description="STRIPE PAYOUT FAILURE", status="available",
        )  # fmt: skip
        returned["available_on"] = returned["created"]
        store.put(returned)
        payout |= {
            "status": "failed", "failure_balance_transaction": returned["id"],
            "failure_code": failure_code,
            "failure_message": failure_message or FAILURE_MESSAGES.get(failure_code),
        }  # fmt: skip
        store.put(payout)
    return store.emit_event("payout.failed", payout)
