"""Payout, dispute, Radar review and early-fraud-warning shapes (key sets from fixtures3.json).

These objects are not created through the public API; scenarios insert them with `SandboxStore.put`.
"""

from __future__ import annotations

from typing import Any

StripeObj = dict[str, Any]

_EVIDENCE_KEYS = [
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
]


def payout(*, id: str, created: int, amount: int, currency: str, **fields: Any) -> StripeObj:
    """An automatic standard payout to a bank account, paid two days after creation."""
    obj: StripeObj = {
        "amount": amount, "application_fee": None, "application_fee_amount": None,
        "arrival_date": created + 2 * 86_400, "automatic": True, "balance_transaction": None,
        "created": created, "currency": currency, "description": "STRIPE PAYOUT",
        "destination": "ba_sandboxBankAccount0001", "failure_balance_transaction": None,
        "failure_code": None, "failure_message": None, "id": id, "livemode": False,
        "metadata": {}, "method": "standard", "object": "payout", "original_payout": None,
        "payout_method": None, "reconciliation_status": "completed", "reversed_by": None,
        "source_type": "card", "statement_descriptor": None, "status": "paid",
        "trace_id": {"status": "supported", "value": None}, "type": "bank_account",
    }  # fmt: skip
    obj.update(fields)
    return obj


def dispute(
    *, id: str, created: int, amount: int, currency: str, charge: str, **fields: Any
) -> StripeObj:
    """A fraudulent-reason card dispute that needs a response within three weeks."""
    evidence: StripeObj = {**dict.fromkeys(_EVIDENCE_KEYS), "enhanced_evidence": {}}
    details = {"due_by": created + 21 * 86_400, "has_evidence": False, "past_due": False,
               "submission_count": 0, "enhanced_eligibility": {}}  # fmt: skip
    card = {"brand": "visa", "case_type": "chargeback", "network_reason_code": "10.4",
            "network": "visa"}  # fmt: skip
    obj: StripeObj = {
        "amount": amount, "balance_transactions": [], "charge": charge, "created": created,
        "currency": currency, "enhanced_eligibility_types": [], "evidence": evidence,
        "evidence_details": details, "id": id, "is_charge_refundable": False,
        "livemode": False, "metadata": {}, "object": "dispute", "payment_intent": None,
        "payment_method_details": {"card": card, "type": "card"}, "reason": "fraudulent",
        "status": "needs_response",
    }  # fmt: skip
    obj.update(fields)
    return obj


def review(*, id: str, created: int, charge: str, **fields: Any) -> StripeObj:
    """An open Radar review opened by a rule."""
    location = {"city": None, "country": None, "latitude": None, "longitude": None,
                "region": None}  # fmt: skip
    session = {"browser": None, "device": None, "platform": None, "version": None}
    obj: StripeObj = {
        "billing_zip": None, "charge": charge, "closed_reason": None, "created": created,
        "id": id, "ip_address": None, "ip_address_location": location, "livemode": False,
        "object": "review", "open": True, "opened_reason": "rule", "reason": "rule",
        "session": session,
    }  # fmt: skip
    obj.update(fields)
    return obj


def early_fraud_warning(*, id: str, created: int, charge: str, **fields: Any) -> StripeObj:
    """An actionable early fraud warning on a charge."""
    obj: StripeObj = {
        "actionable": True,
        "charge": charge,
        "created": created,
        "fraud_type": "misc",
        "id": id,
        "livemode": False,
        "object": "radar.early_fraud_warning",
    }
    obj.update(fields)
    return obj
