"""The sandbox's P21 tables: one declaration gives the SQLite DDL and the OData column types.

Column names are P21's snake_case database names, so OData ``$filter``/``$select`` run against
them directly, and type mismatches (``customer.customer_id`` is a number, ``invoice_hdr
.customer_id`` a string) are caught the way P21 catches them: 404.
"""

from __future__ import annotations

from typing import Literal

ColumnType = Literal["number", "decimal", "string", "datetime"]

_N: ColumnType = "number"
_D: ColumnType = "decimal"
_S: ColumnType = "string"
_T: ColumnType = "datetime"

TABLES: dict[str, dict[str, ColumnType]] = {
    "customer": {
        "customer_id": _N, "company_id": _S, "customer_name": _S, "salesrep_id": _S,
        "terms_id": _S, "credit_status": _S, "credit_limit": _D, "currency_id": _S,
        "customer_type": _S, "email_address": _S, "mail_address1": _S, "mail_city": _S,
        "mail_state": _S, "mail_postal_code": _S, "mail_country": _S,
        "central_phone_number": _S, "delete_flag": _S, "date_created": _T,
        "date_last_modified": _T,
    },
    "inv_mast": {
        "item_id": _S, "item_desc": _S, "list_price": _D, "default_selling_unit": _S,
        "product_group_id": _S, "delete_flag": _S, "date_last_modified": _T,
    },
    "oe_hdr": {
        "order_no": _S, "company_id": _S, "customer_id": _N, "ship_to_id": _N,
        "contact_id": _S, "po_no": _S, "order_date": _T, "requested_date": _T, "taker": _S,
        "sales_loc_id": _N, "source_loc_id": _N, "approved": _S, "cancel_flag": _S,
        "rma_flag": _S, "completed": _S, "currency_id": _S, "date_created": _T,
        "date_last_modified": _T,
    },
    "oe_line": {
        "order_no": _S, "line_no": _N, "item_id": _S, "qty_ordered": _D, "unit_price": _D,
        "extended_price": _D, "unit_of_measure": _S, "user_line_no": _S, "delete_flag": _S,
        "date_created": _T, "extended_desc": _S,
    },
    "ar_payment_details": {
        "payment_uid": _N, "order_no": _S, "customer_id": _N, "payment_type_id": _S,
        "payment_amount": _D, "payment_desc": _S, "payment_date": _T,
        "cc_authorized_number": _S, "date_created": _T,
    },
    "invoice_hdr": {
        "invoice_no": _S, "order_no": _S, "customer_id": _S, "invoice_date": _T,
        "total_amount": _D, "amount_paid": _D, "paid_in_full_flag": _S, "invoice_type": _S,
        "company_no": _S, "date_last_modified": _T,
    },
    "gl": {
        "gl_uid": _N, "transaction_number": _S, "company_no": _S, "account_number": _S,
        "period": _N, "year_for_period": _N, "journal_id": _S, "amount": _D,
        "foreign_amount": _D, "description": _S, "source": _S, "transaction_date": _T,
        "date_created": _T,
    },
    "periods": {
        "company_no": _S, "year_for_period": _N, "period": _N, "beginning_date": _T,
        "ending_date": _T, "period_closed": _S,
    },
    "chart_of_accts": {
        "company_no": _S, "account_no": _S, "account_desc": _S, "account_type": _S,
        "delete_flag": _S,
    },
}  # fmt: skip

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id",),
    "inv_mast": ("item_id",),
    "oe_hdr": ("order_no",),
    "oe_line": ("order_no", "line_no"),
    "ar_payment_details": ("payment_uid",),
    "invoice_hdr": ("invoice_no",),
    "gl": ("gl_uid",),
    "periods": ("company_no", "year_for_period", "period"),
    "chart_of_accts": ("company_no", "account_no"),
}

INDEXES = (
    "CREATE INDEX ix_oe_hdr_po_no ON oe_hdr (po_no COLLATE NOCASE)",
    "CREATE INDEX ix_oe_line_order ON oe_line (order_no)",
    "CREATE INDEX ix_payment_order ON ar_payment_details (order_no)",
    "CREATE INDEX ix_invoice_order ON invoice_hdr (order_no)",
    "CREATE INDEX ix_gl_transaction ON gl (transaction_number)",
    "CREATE INDEX ix_customer_modified ON customer (date_last_modified)",
    "CREATE INDEX ix_customer_email ON customer (email_address COLLATE NOCASE)",
)

_SQL_TYPES = {"number": "INTEGER", "decimal": "TEXT", "string": "TEXT", "datetime": "TEXT"}


def added_columns(table: str, present: set[str]) -> list[str]:
    """ALTER statements for the columns of ``table`` a database made by an older sandbox lacks
    (new columns are appended, nullable: ``oe_line.extended_desc``)."""
    return [
        f"ALTER TABLE {table} ADD COLUMN {name} {_SQL_TYPES[kind]}"
        for name, kind in TABLES[table].items()
        if name not in present
    ]


def ddl() -> list[str]:
    """CREATE statements for every table, plus the sandbox's own bookkeeping tables."""
    statements = []
    for table, columns in TABLES.items():
        cols = ", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in columns.items())
        key = ", ".join(PRIMARY_KEYS[table])
        statements.append(f"CREATE TABLE {table} ({cols}, PRIMARY KEY ({key}))")
    statements.extend(INDEXES)
    statements.append("CREATE TABLE sandbox_counter (name TEXT PRIMARY KEY, value INTEGER)")
    statements.append(
        "CREATE TABLE sandbox_written (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, "
        "doc_key TEXT, action TEXT, at TEXT)"
    )
    return statements
