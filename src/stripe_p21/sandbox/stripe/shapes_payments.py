"""Payment object shapes (charge, payment intent, refund, balance transaction) as Stripe sends them.

Key sets follow Stripe's OpenAPI fixtures (fixtures3.json); values are realistic, not placeholders.
"""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.stripe.currency import processing_fee

StripeObj = dict[str, Any]


def _address() -> StripeObj:
    keys = ("city", "country", "line1", "line2", "postal_code", "state")
    return dict.fromkeys(keys)


def card_details(amount: int, brand: str = "visa", last4: str = "4242") -> StripeObj:
    """`payment_method_details` of a card charge."""
    checks = {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"}
    card = {
        "amount_authorized": amount, "brand": brand, "checks": checks, "country": "US",
        "exp_month": 12, "exp_year": 2034, "extended_authorization": {"status": "disabled"},
        "fingerprint": "sbxFingerprint01", "funding": "credit",
        "incremental_authorization": {"status": "unavailable"}, "installments": None,
        "last4": last4, "mandate": None, "multicapture": {"status": "unavailable"},
        "network": brand, "network_token": {"used": False},
        "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
        "three_d_secure": None, "wallet": None, "authorization_code": "123456",
        "regulated_status": "unregulated", "network_transaction_id": "sbx000000000001",
        "transaction_link_id": None,
    }  # fmt: skip
    return {"card": card, "type": "card"}


def outcome(risk_level: str = "normal", risk_score: int = 20) -> StripeObj:
    """`charge.outcome` of an authorised payment at the given Radar risk level."""
    return {
        "advice_code": None, "network_advice_code": None, "network_decline_code": None,
        "network_status": "approved_by_network", "reason": None, "risk_level": risk_level,
        "risk_score": risk_score, "seller_message": "Payment complete.", "type": "authorized",
    }  # fmt: skip


def charge(*, id: str, created: int, amount: int, currency: str, **fields: Any) -> StripeObj:
    """A succeeded, captured card charge; override any field with keyword arguments."""
    billing = {"address": _address(), "email": None, "name": None, "phone": None, "tax_id": None}
    obj: StripeObj = {
        "amount": amount, "amount_captured": amount, "amount_refunded": 0, "application": None,
        "application_fee": None, "application_fee_amount": None, "balance_transaction": None,
        "billing_details": billing, "calculated_statement_descriptor": "SANDBOX",
        "captured": True, "created": created, "currency": currency, "customer": None,
        "description": None, "disputed": False, "failure_balance_transaction": None,
        "failure_code": None, "failure_message": None, "fraud_details": {}, "id": id,
        "livemode": False, "metadata": {}, "object": "charge", "on_behalf_of": None,
        "outcome": outcome(), "paid": True, "payment_intent": None,
        "payment_method": "pm_card_visa", "payment_method_details": card_details(amount),
        "receipt_email": None, "receipt_number": None,
        "receipt_url": f"https://pay.stripe.com/receipts/payment/{id}", "refunded": False,
        "refunds": {"data": [], "has_more": False, "object": "list",
                    "url": f"/v1/charges/{id}/refunds"},
        "review": None, "shipping": None, "source_transfer": None, "statement_descriptor": None,
        "statement_descriptor_suffix": None, "status": "succeeded", "transfer_data": None,
        "transfer_group": None, "source": None,
    }  # fmt: skip
    obj.update(fields)
    return obj


def payment_intent(
    *, id: str, created: int, amount: int, currency: str, client_secret: str, **fields: Any
) -> StripeObj:
    """A payment intent awaiting a payment method; override any field with keyword arguments."""
    obj: StripeObj = {
        "amount": amount, "amount_capturable": 0, "amount_details": {"tip": {}},
        "amount_received": 0, "application": None, "application_fee_amount": None,
        "automatic_payment_methods": None, "canceled_at": None, "cancellation_reason": None,
        "capture_method": "automatic", "client_secret": client_secret,
        "confirmation_method": "automatic", "created": created, "currency": currency,
        "customer": None, "description": None, "id": id, "last_payment_error": None,
        "latest_charge": None, "livemode": False, "metadata": {}, "next_action": None,
        "object": "payment_intent", "on_behalf_of": None, "payment_method": None,
        "payment_method_configuration_details": None, "payment_method_options": {},
        "payment_method_types": ["card"], "processing": None, "receipt_email": None,
        "review": None, "setup_future_usage": None, "shipping": None,
        "statement_descriptor": None, "statement_descriptor_suffix": None,
        "status": "requires_payment_method", "transfer_data": None, "transfer_group": None,
        "source": None, "excluded_payment_method_types": None, "customer_account": None,
        "managed_payments": {"enabled": False},
    }  # fmt: skip
    obj.update(fields)
    return obj


def refund(
    *, id: str, created: int, amount: int, currency: str, charge: str, **fields: Any
) -> StripeObj:
    """A succeeded card refund; override any field with keyword arguments."""
    obj: StripeObj = {
        "amount": amount, "balance_transaction": None, "charge": charge, "created": created,
        "currency": currency,
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "id": id, "metadata": {}, "object": "refund", "payment_intent": None, "reason": None,
        "receipt_number": None, "source_transfer_reversal": None, "status": "succeeded",
        "transfer_reversal": None, "customer": None, "customer_account": None,
        "payment_method": None,
    }  # fmt: skip
    obj.update(fields)
    return obj


def fee_details(fee: int, currency: str) -> list[StripeObj]:
    """The `fee_details` list for a Stripe processing fee."""
    if not fee:
        return []
    detail = {"amount": fee, "application": None, "currency": currency,
              "description": "Stripe processing fees", "type": "stripe_fee"}  # fmt: skip
    return [detail]


def balance_transaction(
    *, id: str, created: int, amount: int, currency: str, source: str, **fields: Any
) -> StripeObj:
    """A balance transaction; `fee` defaults to Stripe's fee for charges and 0 otherwise."""
    kind = fields.pop("type", "charge")
    fee = fields.pop("fee", processing_fee(amount, currency) if kind == "charge" else 0)
    obj: StripeObj = {
        "amount": amount, "available_on": created + 2 * 86_400, "created": created,
        "currency": currency, "description": None, "exchange_rate": None, "fee": fee,
        "fee_details": fee_details(fee, currency), "id": id, "net": amount - fee,
        "object": "balance_transaction", "reporting_category": kind, "source": source,
        "status": "pending", "type": kind, "balance_type": "payments",
    }  # fmt: skip
    obj.update(fields)
    return obj
