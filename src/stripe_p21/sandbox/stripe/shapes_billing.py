"""Customer, invoice and subscription shapes as Stripe sends them (key sets from fixtures3.json).

The scenario generator overrides fields with keyword arguments; defaults are a plain active account.
"""

from __future__ import annotations

from typing import Any

StripeObj = dict[str, Any]


def address(**fields: Any) -> StripeObj:
    """A Stripe address with every key present."""
    keys = ("city", "country", "line1", "line2", "postal_code", "state")
    return {**dict.fromkeys(keys), **fields}


def customer(*, id: str, created: int, **fields: Any) -> StripeObj:
    """A customer without payment methods or discounts."""
    settings = {"custom_fields": None, "default_payment_method": None, "footer": None,
                "rendering_options": None}  # fmt: skip
    obj: StripeObj = {
        "address": None, "balance": 0, "created": created, "currency": None,
        "default_source": None, "delinquent": False, "description": None, "discount": None,
        "email": None, "id": id, "invoice_prefix": id[4:12].upper(),
        "invoice_settings": settings, "livemode": False, "metadata": {}, "name": None,
        "next_invoice_sequence": 1, "object": "customer", "phone": None,
        "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
    }  # fmt: skip
    obj.update(fields)
    return obj


def invoice_line(
    *, id: str, invoice: str, amount: int, currency: str, period: tuple[int, int], **fields: Any
) -> StripeObj:
    """One invoice line item."""
    obj: StripeObj = {
        "amount": amount, "currency": currency, "description": None, "discount_amounts": [],
        "discountable": True, "discounts": [], "id": id, "invoice": invoice, "livemode": False,
        "metadata": {}, "object": "line_item", "parent": None,
        "period": {"end": period[1], "start": period[0]}, "pretax_credit_amounts": [],
        "pricing": None, "quantity": 1, "quantity_decimal": "1", "subscription": None,
        "subtotal": amount, "taxes": [],
    }  # fmt: skip
    obj.update(fields)
    return obj


def _invoice_settings(created: int) -> StripeObj:
    """The nested settings of a finalised invoice without tax or special payment options."""
    return {
        "automatic_tax": {"enabled": False, "liability": None, "status": None,
                          "disabled_reason": None, "provider": None},
        "payment_settings": {"default_mandate": None, "payment_method_options": None,
                             "payment_method_types": None},
        "status_transitions": {"finalized_at": created, "marked_uncollectible_at": None,
                               "paid_at": None, "voided_at": None},
    }  # fmt: skip


def invoice(
    *, id: str, created: int, customer: str, currency: str, lines: list[StripeObj], **fields: Any
) -> StripeObj:
    """A finalised, open invoice whose totals are the sum of its lines."""
    total = sum(int(line["amount"]) for line in lines)
    line_list = {"data": lines, "has_more": False, "object": "list",
                 "url": f"/v1/invoices/{id}/lines"}  # fmt: skip
    obj: StripeObj = {**_invoice_settings(created),
        "account_country": "US", "account_name": "Sandbox Distributor", "account_tax_ids": None,
        "amount_due": total, "amount_overpaid": 0, "amount_paid": 0, "amount_remaining": total,
        "amount_shipping": 0, "application": None, "attempt_count": 0, "attempted": False,
        "auto_advance": True, "automatically_finalizes_at": None,
        "billing_reason": "manual", "collection_method": "charge_automatically",
        "created": created, "currency": currency, "custom_fields": None, "customer": customer,
        "customer_account": None, "customer_address": None, "customer_email": None,
        "customer_name": None, "customer_phone": None, "customer_shipping": None,
        "customer_tax_exempt": "none", "customer_tax_ids": [], "default_payment_method": None,
        "default_source": None, "default_tax_rates": [], "description": None, "discounts": [],
        "due_date": None, "effective_at": created, "ending_balance": 0, "footer": None,
        "from_invoice": None, "hosted_invoice_url": f"https://invoice.stripe.com/i/{id}",
        "id": id, "invoice_pdf": f"https://pay.stripe.com/invoice/{id}/pdf",
        "issuer": {"type": "self"}, "last_finalization_error": None, "latest_revision": None,
        "lines": line_list, "livemode": False, "metadata": {}, "next_payment_attempt": None,
        "number": f"{id[3:11].upper()}-0001", "object": "invoice", "on_behalf_of": None,
        "parent": None, "period_end": created, "period_start": created,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0, "receipt_number": None, "rendering": None,
        "shipping_cost": None, "shipping_details": None, "starting_balance": 0,
        "statement_descriptor": None, "status": "open",
        "subscription": None, "subtotal": total, "subtotal_excluding_tax": total,
        "test_clock": None, "total": total, "total_discount_amounts": [],
        "total_excluding_tax": total, "total_pretax_credit_amounts": [], "total_taxes": [],
        "webhooks_delivered_at": created,
    }  # fmt: skip
    obj.update(fields)
    return obj


def subscription(
    *, id: str, created: int, customer: str, currency: str, items: list[StripeObj], **fields: Any
) -> StripeObj:
    """An active monthly subscription; `items` are `subscription_item` objects."""
    item_list = {"data": items, "has_more": False, "object": "list",
                 "url": f"/v1/subscription_items?subscription={id}"}  # fmt: skip
    tax = {"enabled": False, "liability": None, "disabled_reason": None}
    obj: StripeObj = {
        "application": None, "application_fee_percent": None, "automatic_tax": tax,
        "billing_cycle_anchor": created, "billing_cycle_anchor_config": None,
        "billing_mode": {"type": "classic"}, "billing_schedules": [],
        "billing_thresholds": None, "cancel_at": None, "cancel_at_period_end": False,
        "canceled_at": None, "cancellation_details": {"comment": None, "feedback": None,
        "reason": None}, "collection_method": "charge_automatically", "created": created,
        "currency": currency, "customer": customer, "customer_account": None,
        "days_until_due": None, "default_payment_method": None, "default_source": None,
        "default_tax_rates": [], "description": None, "discounts": [], "ended_at": None,
        "id": id, "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": item_list, "latest_invoice": None, "livemode": False,
        "managed_payments": {"enabled": False}, "metadata": {},
        "next_pending_invoice_item_invoice": None, "object": "subscription",
        "on_behalf_of": None, "pause_collection": None, "payment_settings": None,
        "pending_invoice_item_interval": None, "pending_setup_intent": None,
        "pending_update": None, "schedule": None, "start_date": created, "status": "active",
        "test_clock": None, "transfer_data": None, "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }  # fmt: skip
    obj.update(fields)
    return obj
