"""P21 documents as target schemas: the Transaction API order form (header, lines, remittances),
RMA, Entity API customer, GL lines, OData `invoice_hdr` and `ar_receipts`, and the seed's simple
`SalesOrder` view. Names follow reference/P21_API.md and the sandbox tables; fields marked
"(assumed)" are ones no source showed."""

from __future__ import annotations

from stripe_p21.intelligence.mapping_suggest.catalogue_stripe import f
from stripe_p21.intelligence.mapping_suggest.schema import Kind, Schema

K = Kind

SALES_ORDER = Schema(
    "SalesOrder",
    "p21",
    (
        f(
            "OrderNumber",
            K.STRING,
            "P21 sales order number the payment belongs to.",
            "1004417",
            "1004502",
            ref="order",
        ),
        f(
            "CustomerNumber",
            K.INTEGER,
            "P21 customer id the order is for.",
            100198,
            100245,
            ref="customer",
        ),
        f("OrderDate", K.DATE, "Date the order was placed.", "2025-11-25", "2025-11-26"),
        f("TotalAmount", K.DECIMAL, "Order total in the order currency.", "125.00", "89.99"),
        f(
            "PaymentAmount",
            K.DECIMAL,
            "Amount of the payment applied to the order.",
            "125.00",
            "89.99",
        ),
        f("PaymentDate", K.DATE, "Date the payment was received.", "2025-11-25", "2025-11-26"),
        f(
            "InvoiceNumber",
            K.STRING,
            "P21 invoice number the payment settles.",
            "1002345",
            "1002391",
            ref="invoice",
        ),
        f(
            "PONumber",
            K.STRING,
            "Customer purchase order reference; holds the Stripe payment id.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="stripe_id",
        ),
        f("CurrencyCode", K.CURRENCY, "ISO currency of the order, upper case.", "USD", "CAD"),
        f("Taker", K.STRING, "P21 user who took the order.", "WEBUSER"),
    ),
    "The seed's simplified sales order (sandbox alias /api/v2/salesorders).",
)

OE_HDR = Schema(
    "oe_hdr",
    "p21",
    (
        f("order_no", K.STRING, "Order number assigned by P21 (7 digits).", "1004417", ref="order"),
        f("customer_id", K.INTEGER, "Customer the order is for.", 100198, ref="customer"),
        f("ship_to_id", K.INTEGER, "Ship-to address id of the customer.", 100198),
        f("contact_id", K.STRING, "Contact at the customer who placed the order.", "C1001"),
        f(
            "po_no",
            K.STRING,
            "Customer PO number; holds the Stripe object id for idempotency.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="stripe_id",
        ),
        f("order_date", K.DATE, "Date the order was entered.", "2025-11-25"),
        f("requested_date", K.DATE, "Date the customer asked for delivery.", "2025-11-28"),
        f("taker", K.STRING, "P21 user who took the order.", "WEBUSER"),
        f("sales_loc_id", K.INTEGER, "Sales location.", 10),
        f("source_loc_id", K.INTEGER, "Location the goods ship from.", 10),
        f("approved", K.FLAG, "Order approved flag (Y/N).", "Y"),
        f("cancel_flag", K.FLAG, "Order cancelled flag (Y/N).", "N"),
        f("rma_flag", K.FLAG, "Y when the order is an RMA (return).", "N"),
        f("currency_id", K.CURRENCY, "Currency of the order.", "USD"),
    ),
    "Order header: Transaction API `Order` form TABPAGE_1.order / OData oe_hdr.",
)

OE_LINE = Schema(
    "oe_line",
    "p21",
    (
        f("user_line_no", K.STRING, "Line number as shown to users (010, 020…).", "010"),
        f("oe_order_item_id", K.STRING, "Item id ordered (inv_mast.item_id).", "WIDGET-001"),
        f("unit_quantity", K.DECIMAL, "Quantity ordered in the unit of measure.", "5"),
        f("unit_of_measure", K.STRING, "Unit of measure, e.g. EA.", "EA"),
        f("unit_price", K.DECIMAL, "Price per unit.", "25.00"),
        f("extended_price", K.DECIMAL, "Quantity times unit price.", "125.00"),
        f("item_desc", K.STRING, "Item description on the line.", "Widget, steel"),
    ),
    "Order lines: Transaction API TP_ITEMS.items / OData oe_line.",
)

ORDER_REMITTANCE = Schema(
    "order_remittance",
    "p21",
    (
        f(
            "payment_type_id",
            K.STRING,
            "Payment type code configured in P21, e.g. STRIPE.",
            "STRIPE",
        ),
        f("payment_amount", K.DECIMAL, "Amount of the payment.", "125.00"),
        f(
            "payment_desc",
            K.STRING,
            "Payment description; holds the Stripe charge id.",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="stripe_id",
        ),
        f("payment_date", K.DATE, "Date of the payment.", "2025-11-25"),
        f("cc_authorized_number", K.STRING, "Card authorization number.", "T4H2KQ"),
        f("order_no", K.STRING, "Order the payment is applied to.", "1004417", ref="order"),
    ),
    "Payment rows of an order: TP_REMITTANCES.remittances / OData ar_payment_details.",
)

CUSTOMER = Schema(
    "customer",
    "p21",
    (
        f("CustomerId", K.INTEGER, "P21 customer id.", 100198, 100245, ref="customer"),
        f("CompanyId", K.STRING, "P21 company the customer belongs to.", "ACME"),
        f("CustomerName", K.STRING, "Customer (business) name.", "NORTHWIND TRADERS INC"),
        f(
            "EmailAddress",
            K.EMAIL,
            "Customer email address (assumed name).",
            "ap@northwind.example",
        ),
        f("CentralPhoneNumber", K.PHONE, "Main phone number.", "330-555-0199"),
        f("MailAddress1", K.STRING, "Mailing address line 1.", "12 HARBOR WAY"),
        f("MailAddress2", K.STRING, "Mailing address line 2.", "SUITE 400"),
        f("MailCity", K.STRING, "Mailing address city.", "AKRON"),
        f("MailState", K.STRING, "Mailing address state.", "OH"),
        f("MailPostalCode", K.STRING, "Mailing address postal code.", "44308"),
        f("MailCountry", K.STRING, "Mailing address country.", "USA"),
        f("CurrencyId", K.CURRENCY, "Customer's currency.", "USD"),
        f("CreditLimit", K.DECIMAL, "Credit limit.", "5000.00"),
        f("CreditStatus", K.STRING, "Credit status code (e.g. COD, HOLD).", "OK"),
        f("TermsId", K.STRING, "Payment terms code.", "NET30"),
        f("SalesrepId", K.STRING, "Sales representative.", "1003"),
        f("CustomerType", K.STRING, "Customer type code.", "RETAIL"),
    ),
    "Customer through the Entity API /api/entity/customers.",
)

RMA = Schema(
    "rma",
    "p21",
    (
        f("order_no", K.STRING, "RMA number assigned by P21.", "1004611"),
        f("customer_id", K.INTEGER, "Customer credited.", 100198, ref="customer"),
        f(
            "po_no",
            K.STRING,
            "Customer PO number; holds the Stripe refund id for idempotency.",
            "re_3QaB1x2eZvKYlo2C0r7t",
            ref="stripe_id",
        ),
        f("order_date", K.DATE, "Date the RMA was entered.", "2025-11-27"),
        f(
            "original_order_no",
            K.STRING,
            "Sales order the return credits (assumed).",
            "1004417",
            ref="order",
        ),
        f("return_reason", K.STRING, "Why the credit is given (assumed).", "CUSTOMER REQUEST"),
        f("currency_id", K.CURRENCY, "Currency of the credit.", "USD"),
        f("taker", K.STRING, "P21 user who entered the RMA.", "WEBUSER"),
        f("unit_price", K.DECIMAL, "Credit per unit on the RMA line.", "25.00"),
        f("unit_quantity", K.DECIMAL, "Quantity returned.", "1"),
        f("oe_order_item_id", K.STRING, "Item returned.", "WIDGET-001"),
        f("payment_amount", K.DECIMAL, "Amount refunded to the customer.", "25.00"),
        f(
            "payment_desc",
            K.STRING,
            "Refund payment description; holds the Stripe refund id.",
            "re_3QaB1x2eZvKYlo2C0r7t",
            ref="stripe_id",
        ),
    ),
    "Credit memo through the Transaction API `RMA` service (header, line, refund remittance).",
)

GL_LINE = Schema(
    "gl_line",
    "p21",
    (
        f("CompanyNo", K.STRING, "P21 company number.", "ACME"),
        f("AccountNumber", K.STRING, "GL account from the chart of accounts.", "1010-00"),
        f("Period", K.INTEGER, "Fiscal period (from the P21 periods table).", 11),
        f("YearForPeriod", K.INTEGER, "Fiscal year of the period.", 2025),
        f("JournalId", K.STRING, "Journal code, e.g. CR for cash receipts.", "CR"),
        f(
            "Amount",
            K.DECIMAL,
            "Signed line amount: debit positive, credit negative.",
            "18734.00",
            "-393.00",
        ),
        f("ForeignAmount", K.DECIMAL, "Amount in the foreign currency when it differs.", None),
        f("Description", K.STRING, "Line description.", "Stripe payout po_1QaB3x"),
        f("Source", K.STRING, "Source code of the entry, e.g. STRIPE.", "STRIPE"),
        f("TransactionDate", K.DATE, "Date of the journal entry.", "2025-11-27"),
        f("TransactionNumber", K.STRING, "Entry number assigned by P21 on posting.", "GL0004411"),
    ),
    "One line of a GL journal entry, POST /api/accounting/gl/.",
)

INVOICE_HDR = Schema(
    "invoice_hdr",
    "p21",
    (
        f("invoice_no", K.STRING, "Invoice number.", "1002345", ref="invoice"),
        f("order_no", K.STRING, "Order that was invoiced.", "1004417", ref="order"),
        f(
            "customer_id",
            K.STRING,
            "Customer invoiced (a string in this table).",
            "100198",
            ref="customer",
        ),
        f("invoice_date", K.DATE, "Date of the invoice.", "2025-11-25"),
        f("net_due_date", K.DATE, "Date payment is due (assumed).", "2025-12-25"),
        f("total_amount", K.DECIMAL, "Invoice total.", "49.00"),
        f("amount_paid", K.DECIMAL, "Amount paid against the invoice.", "49.00"),
        f("paid_in_full_flag", K.FLAG, "Y when fully paid.", "Y"),
        f("invoice_type", K.STRING, "Invoice type code (IN, CM…).", "IN"),
        f(
            "po_no",
            K.STRING,
            "Customer PO number carried from the order.",
            "in_1QaB2x2eZvKYlo2Cq8w1",
            ref="stripe_id",
        ),
        f("company_no", K.STRING, "P21 company number.", "ACME"),
        f("currency_id", K.CURRENCY, "Invoice currency (assumed).", "USD"),
    ),
    "OData invoice_hdr (P21 invoices when an order ships).",
)

AR_RECEIPTS = Schema(
    "ar_receipts",
    "p21",
    (
        f("receipt_number", K.STRING, "Cash receipt number assigned by P21 (assumed).", "R0012231"),
        f("company_id", K.STRING, "P21 company.", "ACME"),
        f("customer_id", K.INTEGER, "Customer who paid.", 100198, ref="customer"),
        f("receipt_date", K.DATE, "Date the payment was received (assumed).", "2025-11-25"),
        f("amount_received", K.DECIMAL, "Amount of the receipt (assumed).", "125.00"),
        f("payment_type_id", K.STRING, "Payment type code, e.g. STRIPE.", "STRIPE"),
        f(
            "check_no",
            K.STRING,
            "Check or electronic payment reference (assumed).",
            "ch_3QaB1x2eZvKYlo2C0kq1",
            ref="stripe_id",
        ),
        f(
            "invoice_no",
            K.STRING,
            "Invoice the receipt is applied to (ar_receipts_detail).",
            "1002345",
            ref="invoice",
        ),
        f("currency_id", K.CURRENCY, "Receipt currency (assumed).", "USD"),
        f("bank_no", K.STRING, "P21 bank the receipt is deposited to.", "1"),
        f("remarks", K.STRING, "Free-text remarks on the receipt.", "Web order 1004417"),
    ),
    "OData ar_receipts with its detail rows: a customer payment applied to invoices.",
)

P21_SCHEMAS = (
    SALES_ORDER,
    OE_HDR,
    OE_LINE,
    ORDER_REMITTANCE,
    CUSTOMER,
    RMA,
    GL_LINE,
    INVOICE_HDR,
    AR_RECEIPTS,
)
