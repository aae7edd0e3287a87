"""Stripe objects as source schemas: field paths and kinds follow the API objects in
stripe/openapi `fixtures3.json`; descriptions paraphrase Stripe's API reference; sample values
are realistic (not the fixtures' placeholders). Conventional metadata keys are listed so
`metadata.<key>` can be suggested."""

from __future__ import annotations

from typing import Any

from stripe_p21.intelligence.mapping_suggest.schema import Kind, Schema, SchemaField

K = Kind


def f(
    name: str, kind: Kind, description: str, *samples: Any, ref: str | None = None
) -> SchemaField:
    return SchemaField(name, kind, description, tuple(samples), ref)


CREATED = f(
    "created",
    K.TIMESTAMP,
    "Time at which the object was created. Measured in seconds since the Unix epoch.",
    1764028800,
    1764115200,
)
CURRENCY = f("currency", K.CURRENCY, "Three-letter ISO currency code, in lowercase.", "usd", "cad")
LIVEMODE = f("livemode", K.BOOLEAN, "True in live mode, false in test mode.", True)
METADATA = f("metadata", K.OBJECT, "Set of key-value pairs attached to the object.")
ORDER_KEY = f(
    "metadata.order_id",
    K.STRING,
    "Order id the checkout stored in metadata (key order_id): the ERP order being paid.",
    "1004417",
    "1004502",
)
INVOICE_KEY = f(
    "metadata.invoice_number",
    K.STRING,
    "Invoice number stored in metadata (key invoice_number) by the billing system.",
    "1002345",
    "1002391",
)


def _address(prefix: str, what: str) -> list[SchemaField]:
    return [
        f(f"{prefix}.line1", K.STRING, f"{what} address line 1 (street).", "12 Harbor Way"),
        f(f"{prefix}.line2", K.STRING, f"{what} address line 2 (suite, unit).", "Suite 400"),
        f(f"{prefix}.city", K.STRING, f"{what} city, district, suburb, town, or village.", "Akron"),
        f(f"{prefix}.state", K.STRING, f"{what} state, county, province, or region.", "OH"),
        f(f"{prefix}.postal_code", K.STRING, f"{what} ZIP or postal code.", "44308"),
        f(f"{prefix}.country", K.STRING, f"{what} two-letter country code.", "US"),
    ]


def _shipping() -> list[SchemaField]:
    return [
        f("shipping.name", K.STRING, "Recipient name of the shipping details.", "Dock 4"),
        f("shipping.phone", K.PHONE, "Recipient phone (including extension).", "+13305550100"),
        *_address("shipping.address", "Shipping"),
    ]


CHARGE = Schema(
    "Charge",
    "stripe",
    (
        f("id", K.ID, "Unique identifier for the charge.", "ch_3QaB1x2eZvKYlo2C0kq1", ref="charge"),
        f(
            "amount",
            K.MONEY_MINOR,
            "Amount intended to be collected by this payment, in the smallest currency unit.",
            12500,
            8999,
        ),
        f(
            "amount_captured",
            K.MONEY_MINOR,
            "Amount captured, in the smallest currency unit (less than amount if partial).",
            12500,
            8999,
        ),
        f(
            "amount_refunded",
            K.MONEY_MINOR,
            "Amount refunded, in the smallest currency unit (can be partial).",
            0,
            2500,
        ),
        f("authorization_code", K.STRING, "Authorization code on the charge.", "T4H2KQ"),
        f(
            "balance_transaction",
            K.ID,
            "Balance transaction describing the impact of this charge on your balance.",
            "txn_3QaB1x2eZvKYlo2C0a9c",
            ref="balance_transaction",
        ),
        f("billing_details.name", K.STRING, "Full name on the billing details.", "Ann Ruiz"),
        f("billing_details.email", K.EMAIL, "Billing email address.", "ap@northwind.example"),
        f("billing_details.phone", K.PHONE, "Billing phone number.", "+13305550199"),
        *_address("billing_details.address", "Billing"),
        f("captured", K.BOOLEAN, "Whether the charge was captured.", True),
        CREATED,
        CURRENCY,
        f(
            "customer",
            K.ID,
            "ID of the customer this charge is for, if one exists.",
            "cus_R2x9LQ0c3mVh1a",
            ref="customer",
        ),
        f(
            "description",
            K.STRING,
            "An arbitrary string attached to the object, often shown to users.",
            "Web order 1004417",
        ),
        f("disputed", K.BOOLEAN, "Whether the charge has been disputed.", False),
        f("failure_code", K.STRING, "Error code explaining reason for charge failure.", None),
        f("failure_message", K.STRING, "Message to user further explaining the failure.", None),
        LIVEMODE,
        METADATA,
        ORDER_KEY,
        INVOICE_KEY,
        f("outcome.risk_level", K.STRING, "Radar's risk level for this payment.", "normal"),
        f("outcome.seller_message", K.STRING, "Human-readable description of the outcome."),
        f("outcome.type", K.STRING, "Possible values: authorized, manual_review, blocked..."),
        f("paid", K.BOOLEAN, "True if the charge succeeded or was authorized.", True),
        f(
            "payment_intent",
            K.ID,
            "ID of the PaymentIntent associated with this charge, if one exists.",
            "pi_3QaB1x2eZvKYlo2C0f3d",
            ref="payment_intent",
        ),
        f("payment_method", K.ID, "ID of the payment method used.", "pm_1QaB0x2eZvKYlo2C"),
        f("payment_method_details.card.brand", K.STRING, "Card brand, e.g. visa.", "visa"),
        f("payment_method_details.card.last4", K.STRING, "Last four digits of the card.", "4242"),
        f(
            "receipt_email",
            K.EMAIL,
            "Email address the receipt was sent to.",
            "ap@northwind.example",
        ),
        f(
            "receipt_number",
            K.STRING,
            "Transaction number that appears on email receipts sent for this charge.",
            "1871-4021",
        ),
        f("refunded", K.BOOLEAN, "Whether the charge has been fully refunded.", False),
        *_shipping(),
        f("statement_descriptor", K.STRING, "Text on the customer's statement.", "NORTHWIND"),
        f(
            "status",
            K.STRING,
            "The status of the payment: succeeded, pending or failed.",
            "succeeded",
        ),
    ),
    "A payment on a card or other method (charge.succeeded, charge.refunded).",
)

PAYMENT_INTENT = Schema(
    "PaymentIntent",
    "stripe",
    (
        f(
            "id",
            K.ID,
            "Unique identifier for the PaymentIntent.",
            "pi_3QaB1x2eZvKYlo2C0f3d",
            ref="payment_intent",
        ),
        f(
            "amount",
            K.MONEY_MINOR,
            "Amount intended to be collected by this PaymentIntent, in the smallest currency unit.",
            12500,
            8999,
        ),
        f("amount_capturable", K.MONEY_MINOR, "Amount that can be captured.", 0),
        f(
            "amount_received",
            K.MONEY_MINOR,
            "Amount that this PaymentIntent collects, in the smallest currency unit.",
            12500,
            8999,
        ),
        f("canceled_at", K.TIMESTAMP, "When the PaymentIntent was canceled (Unix seconds).", None),
        f("cancellation_reason", K.STRING, "Reason for cancellation.", None),
        f("capture_method", K.STRING, "Controls when funds are captured.", "automatic"),
        CREATED,
        CURRENCY,
        f(
            "customer",
            K.ID,
            "ID of the Customer this PaymentIntent belongs to, if one exists.",
            "cus_R2x9LQ0c3mVh1a",
            ref="customer",
        ),
        f("description", K.STRING, "An arbitrary string attached to the object.", "Order 1004417"),
        f(
            "latest_charge",
            K.ID,
            "ID of the latest Charge object created by this PaymentIntent.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="charge",
        ),
        LIVEMODE,
        METADATA,
        ORDER_KEY,
        INVOICE_KEY,
        f("payment_method", K.ID, "ID of the payment method used.", "pm_1QaB0x2eZvKYlo2C"),
        f(
            "receipt_email",
            K.EMAIL,
            "Email address the receipt is sent to.",
            "ap@northwind.example",
        ),
        *_shipping(),
        f("statement_descriptor", K.STRING, "Text on the customer's statement.", "NORTHWIND"),
        f(
            "status",
            K.STRING,
            "Status: requires_payment_method, processing, succeeded…",
            "succeeded",
        ),
    ),
    "A payment flow from creation through checkout (payment_intent.succeeded).",
)

CUSTOMER = Schema(
    "Customer",
    "stripe",
    (
        f("id", K.ID, "Unique identifier for the customer.", "cus_R2x9LQ0c3mVh1a", ref="customer"),
        *_address("address", "The customer's"),
        f(
            "balance",
            K.MONEY_MINOR,
            "Current balance in the smallest currency unit, applied to future invoices.",
            0,
            -1500,
        ),
        CREATED,
        f("currency", K.CURRENCY, "Default currency for recurring billing.", "usd"),
        f("delinquent", K.BOOLEAN, "Whether the latest invoice is past due.", False),
        f(
            "description",
            K.STRING,
            "An arbitrary string attached to the object, often shown alongside the customer.",
            "Northwind Traders account",
        ),
        f("email", K.EMAIL, "The customer's email address.", "ap@northwind.example"),
        f("invoice_prefix", K.STRING, "Prefix for the customer's invoice numbers.", "NWT4A1"),
        LIVEMODE,
        METADATA,
        f(
            "metadata.p21_customer_id",
            K.STRING,
            "P21 customer id written back after the customer was linked (key p21_customer_id).",
            "100198",
            "100245",
        ),
        f("name", K.STRING, "The customer's full name or business name.", "Northwind Traders Inc"),
        f("phone", K.PHONE, "The customer's phone number.", "+13305550199"),
        f("preferred_locales", K.LIST, "Preferred languages, ordered by preference.", ["en-US"]),
        *_shipping(),
        f("tax_exempt", K.STRING, "Tax exemption: none, exempt or reverse.", "none"),
    ),
    "A customer of the business (customer.created/updated).",
)

REFUND = Schema(
    "Refund",
    "stripe",
    (
        f("id", K.ID, "Unique identifier for the refund.", "re_3QaB1x2eZvKYlo2C0r7t", ref="refund"),
        f("amount", K.MONEY_MINOR, "Amount, in the smallest currency unit.", 2500, 12500),
        f(
            "balance_transaction",
            K.ID,
            "Balance transaction describing the impact on your account balance.",
            "txn_3QaB1x2eZvKYlo2C0b1k",
            ref="balance_transaction",
        ),
        f(
            "charge",
            K.ID,
            "ID of the charge that's refunded.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="charge",
        ),
        CREATED,
        CURRENCY,
        f(
            "customer",
            K.ID,
            "ID of the customer of the refunded payment.",
            "cus_R2x9LQ0c3mVh1a",
            ref="customer",
        ),
        f(
            "description",
            K.STRING,
            "An arbitrary string attached to the refund.",
            "Damaged in transit",
        ),
        METADATA,
        f(
            "payment_intent",
            K.ID,
            "ID of the PaymentIntent that's refunded.",
            "pi_3QaB1x2eZvKYlo2C0f3d",
            ref="payment_intent",
        ),
        f(
            "reason",
            K.STRING,
            "Reason for the refund: duplicate, fraudulent or requested_by_customer.",
            "requested_by_customer",
        ),
        f(
            "receipt_number",
            K.STRING,
            "Transaction number on email receipts for this refund.",
            "3301-2207",
        ),
        f(
            "status",
            K.STRING,
            "Status: pending, requires_action, succeeded, failed, canceled.",
            "succeeded",
        ),
    ),
    "Money returned on a charge (charge.refunded, refund.created/updated).",
)

INVOICE = Schema(
    "Invoice",
    "stripe",
    (
        f(
            "id",
            K.ID,
            "Unique identifier for the invoice.",
            "in_1QaB2x2eZvKYlo2Cq8w1",
            ref="invoice",
        ),
        f("amount_due", K.MONEY_MINOR, "Final amount due at this time, in minor units.", 4900),
        f("amount_paid", K.MONEY_MINOR, "The amount, in minor units, that was paid.", 4900),
        f(
            "amount_remaining",
            K.MONEY_MINOR,
            "The difference between amount_due and amount_paid.",
            0,
        ),
        f("attempt_count", K.INTEGER, "Number of payment attempts made for this invoice.", 1),
        f(
            "billing_reason",
            K.STRING,
            "Why the invoice was created, e.g. subscription_cycle.",
            "subscription_cycle",
        ),
        f(
            "collection_method",
            K.STRING,
            "charge_automatically or send_invoice.",
            "charge_automatically",
        ),
        CREATED,
        CURRENCY,
        f(
            "customer",
            K.ID,
            "The ID of the customer who will be billed.",
            "cus_R2x9LQ0c3mVh1a",
            ref="customer",
        ),
        f(
            "customer_email",
            K.EMAIL,
            "The customer's email, as it was when the invoice was finalized.",
            "ap@northwind.example",
        ),
        f(
            "customer_name",
            K.STRING,
            "The customer's name, as it was at finalization.",
            "Northwind Traders Inc",
        ),
        f(
            "customer_phone",
            K.PHONE,
            "The customer's phone number at finalization.",
            "+13305550199",
        ),
        *_address("customer_address", "The customer's"),
        f(
            "description",
            K.STRING,
            "An arbitrary string, displayed as 'memo' in the Dashboard.",
            "Monthly service",
        ),
        f(
            "due_date",
            K.TIMESTAMP,
            "The date on which payment for this invoice is due.",
            1766620800,
        ),
        f(
            "hosted_invoice_url",
            K.STRING,
            "URL of the hosted invoice page.",
            "https://invoice.stripe.com/i/acct_1",
        ),
        LIVEMODE,
        METADATA,
        ORDER_KEY,
        f(
            "number",
            K.STRING,
            "A unique, identifying string on emails sent to the customer for this invoice.",
            "NWT4A1-0007",
        ),
        f("period_end", K.TIMESTAMP, "End of the usage period the invoice covers.", 1766620800),
        f("period_start", K.TIMESTAMP, "Start of the usage period the invoice covers.", 1764028800),
        f("status", K.STRING, "draft, open, paid, uncollectible or void.", "paid"),
        f(
            "status_transitions.paid_at",
            K.TIMESTAMP,
            "The time that the invoice was paid.",
            1764032400,
        ),
        f(
            "subscription",
            K.ID,
            "The subscription this invoice was prepared for.",
            "sub_1QaB2x2eZvKYlo2C",
            ref="subscription",
        ),
        f("subtotal", K.MONEY_MINOR, "Total before any discount or tax, in minor units.", 4900),
        f("total", K.MONEY_MINOR, "Total after discounts and taxes, in minor units.", 4900),
    ),
    "A statement of amounts owed by a customer (invoice.paid, invoice.payment_failed).",
)

PAYOUT = Schema(
    "Payout",
    "stripe",
    (
        f("id", K.ID, "Unique identifier for the payout.", "po_1QaB3x2eZvKYlo2Cw0p2", ref="payout"),
        f(
            "amount",
            K.MONEY_MINOR,
            "The amount, in minor units, to transfer to your bank account or debit card.",
            1873400,
        ),
        f(
            "arrival_date",
            K.TIMESTAMP,
            "Date that you can expect the payout to arrive in the bank.",
            1764201600,
        ),
        f("automatic", K.BOOLEAN, "True if the payout is created by an automated schedule.", True),
        f(
            "balance_transaction",
            K.ID,
            "ID of the balance transaction describing the impact of this payout on your balance.",
            "txn_1QaB3x2eZvKYlo2C9a1",
            ref="balance_transaction",
        ),
        CREATED,
        CURRENCY,
        f("description", K.STRING, "An arbitrary string attached to the object.", "STRIPE PAYOUT"),
        f(
            "destination",
            K.ID,
            "ID of the bank account or card the payout is sent to.",
            "ba_1QaB3x2eZvKYlo2C",
        ),
        f("failure_code", K.STRING, "Error code explaining reason for payout failure.", None),
        f("failure_message", K.STRING, "Message further explaining the failure.", None),
        METADATA,
        f("method", K.STRING, "standard or instant.", "standard"),
        f(
            "reconciliation_status",
            K.STRING,
            "not_applicable, in_progress or completed.",
            "completed",
        ),
        f(
            "statement_descriptor",
            K.STRING,
            "Extra information shown on the bank statement.",
            "STRIPE PAYOUT",
        ),
        f("status", K.STRING, "paid, pending, in_transit, canceled or failed.", "paid"),
        f("type", K.STRING, "bank_account or card.", "bank_account"),
    ),
    "A transfer of funds from the Stripe balance to a bank account (payout.paid).",
)

BALANCE_TRANSACTION = Schema(
    "BalanceTransaction",
    "stripe",
    (
        f(
            "id",
            K.ID,
            "Unique identifier for the balance transaction.",
            "txn_3QaB1x2eZvKYlo2C0a9c",
            ref="balance_transaction",
        ),
        f(
            "amount",
            K.MONEY_MINOR,
            "Gross amount of this transaction (in minor units). Positive increases the balance.",
            12500,
            -2500,
        ),
        f(
            "available_on",
            K.TIMESTAMP,
            "The date that the transaction's net funds become available in the Stripe balance.",
            1764201600,
        ),
        CREATED,
        CURRENCY,
        f(
            "description",
            K.STRING,
            "An arbitrary string attached to the object.",
            "Payment for order 1004417",
        ),
        f(
            "exchange_rate",
            K.DECIMAL,
            "Rate used to convert the original amount into the balance currency.",
            None,
            "1.3521",
        ),
        f("fee", K.MONEY_MINOR, "Fees (in minor units) paid for this transaction.", 393, 0),
        f(
            "net",
            K.MONEY_MINOR,
            "Net impact to a Stripe balance (in minor units): amount - fee.",
            12107,
        ),
        f(
            "reporting_category",
            K.STRING,
            "Helps classify balance transactions for accounting: charge, refund, fee, payout…",
            "charge",
        ),
        f(
            "source",
            K.ID,
            "ID of the Stripe object to which this transaction is related.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="stripe_object",
        ),
        f(
            "status",
            K.STRING,
            "The transaction's net funds status: available or pending.",
            "available",
        ),
        f("type", K.STRING, "Transaction type: charge, refund, payout, stripe_fee…", "charge"),
    ),
    "One movement of the Stripe balance; a payout's transactions make its GL entry.",
)

STRIPE_SCHEMAS = (CHARGE, PAYMENT_INTENT, CUSTOMER, REFUND, INVOICE, PAYOUT, BALANCE_TRANSACTION)
