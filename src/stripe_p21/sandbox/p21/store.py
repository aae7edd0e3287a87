"""The sandbox's SQLite store: P21's tables, seeded from ``seed.generate`` (customers, items and
the non-stock service items, accounts, periods, invoices with the completed orders they came
from, and open sales orders), and small helpers.

Standard-library ``sqlite3`` on one connection used from the event loop: every handler's work is
a few indexed statements, fast enough for hundreds of orders a second without a thread hop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from stripe_p21.sandbox.p21.seed import SeedData, SeedOrder
from stripe_p21.sandbox.p21.tables import TABLES, added_columns, ddl

SEEDED_ORDER = "seeded_order"
"""``sandbox_written`` kind that marks the seed's open orders (not written through the API)."""
FIRST_GL_NUMBER = 50_001
FIRST_CUSTOMER_NO = 200_001


def now_text() -> str:
    """P21 stores wall-clock timestamps without a zone; the sandbox's wall clock is UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def day_text(value: date) -> str:
    return value.strftime("%Y-%m-%dT00:00:00")


class Store:
    """P21 tables in SQLite plus the sandbox's counters and write log."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._savepoints = 0

    def is_empty(self) -> bool:
        found = self.db.execute("SELECT name FROM sqlite_master WHERE name = 'customer'")
        return found.fetchone() is None

    def create_and_seed(self, data: SeedData) -> None:
        """Create the tables and load the seed (only when the database is new); a database kept
        from an older sandbox gets the columns added since (nothing else changes)."""
        if not self.is_empty():
            self.add_missing_columns()
            return
        with self.transaction():
            for statement in ddl():
                self.db.execute(statement)
            self._load(data)

    def add_missing_columns(self) -> None:
        """Bring a database file made by an older sandbox up to ``TABLES`` (new columns only)."""
        with self.transaction():
            for table in TABLES:
                present = {str(row["name"]) for row in self.db.execute(
                    f"PRAGMA table_info({table})")}  # fmt: skip
                if present:
                    for statement in added_columns(table, present):
                        self.db.execute(statement)

    def _load(self, data: SeedData) -> None:
        company = data.company_id
        for c in data.customers:
            modified = utc_text(c.modified)
            self.insert("customer", {
                "customer_id": c.customer_id, "company_id": company, "customer_name": c.name,
                "salesrep_id": c.salesrep_id, "terms_id": c.terms_id,
                "credit_status": c.credit_status, "credit_limit": str(c.credit_limit),
                "currency_id": c.currency_id, "customer_type": c.customer_type,
                "email_address": c.email, "mail_address1": c.address1, "mail_city": c.city,
                "mail_state": c.state, "mail_postal_code": c.postal_code,
                "mail_country": c.country, "central_phone_number": c.phone,
                "delete_flag": "N", "date_created": modified, "date_last_modified": modified,
            })  # fmt: skip
        self._load_catalog(data)

    def _load_catalog(self, data: SeedData) -> None:
        company = data.company_id
        for i in (*data.items, *data.service_items):
            self.insert("inv_mast", {
                "item_id": i.item_id, "item_desc": i.description,
                "list_price": str(i.list_price), "default_selling_unit": i.unit,
                "product_group_id": i.product_group, "delete_flag": "N",
                "date_last_modified": now_text(),
            })  # fmt: skip
        for a in data.accounts:
            self.insert("chart_of_accts", {
                "company_no": company, "account_no": a.account_no,
                "account_desc": a.description, "account_type": a.account_type,
                "delete_flag": "N",
            })  # fmt: skip
        order_of = data.invoice_order_nos()
        for inv in data.invoices:
            self.insert("invoice_hdr", {
                "invoice_no": inv.invoice_no, "order_no": order_of.get(inv.invoice_no),
                "customer_id": str(inv.customer_id),
                "invoice_date": day_text(inv.invoice_date), "total_amount": str(inv.total),
                "amount_paid": str(inv.paid), "invoice_type": "IN", "company_no": company,
                "paid_in_full_flag": "Y" if inv.paid >= inv.total else "N",
                "date_last_modified": day_text(inv.invoice_date),
            })  # fmt: skip
        for p in data.periods:
            self.insert("periods", {
                "company_no": company, "year_for_period": p.year, "period": p.period,
                "beginning_date": day_text(p.begins), "ending_date": day_text(p.ends),
                "period_closed": "Y" if p.closed else "N",
            })  # fmt: skip
        self._load_orders(data)

    def _load_orders(self, data: SeedData) -> None:
        """Open orders: approved, not cancelled, not completed, no payment yet; and the completed
        orders the invoices came from. New orders are numbered after the last open one."""
        for order in data.orders:
            self._insert_order(data.company_id, order, completed=None)
            self.db.execute(
                "INSERT INTO sandbox_written (kind, doc_key, action, at) VALUES (?, ?, ?, ?)",
                (SEEDED_ORDER, order.order_no, "seeded", day_text(order.order_date)),
            )
        for shipped in data.invoiced_orders:
            self._insert_order(data.company_id, shipped, completed=shipped.ship_date)
        if data.orders:
            last = max(int(order.order_no) for order in data.orders)
            self.db.execute(
                "INSERT INTO sandbox_counter (name, value) VALUES ('order_no', ?)", (last,)
            )

    def _insert_order(self, company: str, order: SeedOrder, *, completed: date | None) -> None:
        """An order with its lines; ``completed`` is the day it shipped, None while open."""
        entered = day_text(order.order_date)
        modified = entered if completed is None else day_text(completed)
        self.insert("oe_hdr", {
            "order_no": order.order_no, "company_id": company,
            "customer_id": order.customer_id, "ship_to_id": order.customer_id,
            "contact_id": None, "po_no": order.po_no, "order_date": entered,
            "requested_date": day_text(order.requested_date), "taker": order.taker,
            "sales_loc_id": 10, "source_loc_id": 10, "approved": "Y", "cancel_flag": "N",
            "rma_flag": "N", "completed": "N" if completed is None else "Y",
            "currency_id": "USD", "date_created": entered, "date_last_modified": modified,
        })  # fmt: skip
        for line_no, line in enumerate(order.lines, start=1):
            self.insert("oe_line", {
                "order_no": order.order_no, "line_no": line_no, "item_id": line.item_id,
                "qty_ordered": str(line.quantity), "unit_price": str(line.unit_price),
                "extended_price": str(line.extended_price), "unit_of_measure": line.unit,
                "user_line_no": str(line_no), "delete_flag": "N", "date_created": entered,
            })  # fmt: skip

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction, or a savepoint when one is already open; rolled back on error."""
        name = f"sp{self._savepoints}"
        self._savepoints += 1
        self.db.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.db.execute(f"ROLLBACK TO {name}")
            self.db.execute(f"RELEASE {name}")
            raise
        finally:
            self._savepoints -= 1
        self.db.execute(f"RELEASE {name}")

    def insert(self, table: str, values: dict[str, Any]) -> int:
        _check_columns(table, values)
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.db.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 - checked columns
            tuple(values.values()),
        )
        return int(cursor.lastrowid or 0)

    def update(self, table: str, where: dict[str, Any], values: dict[str, Any]) -> None:
        _check_columns(table, values)
        _check_columns(table, where)
        assignments = ", ".join(f"{c} = ?" for c in values)
        condition = " AND ".join(f"{c} = ?" for c in where)
        self.db.execute(
            f"UPDATE {table} SET {assignments} WHERE {condition}",  # noqa: S608 - checked columns
            (*values.values(), *where.values()),
        )

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.db.execute(sql, tuple(params))]

    def row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.db.execute(sql, tuple(params)).fetchone()
        return None if found is None else dict(found)

    def next_number(self, name: str, first: int) -> int:
        """The next value of a counter (order numbers, GL transaction numbers, customer ids)."""
        self.db.execute(
            "INSERT INTO sandbox_counter (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name, first),
        )
        found = self.db.execute("SELECT value FROM sandbox_counter WHERE name = ?", (name,))
        return int(found.fetchone()[0])

    def written(self, kind: str, key: str, action: str) -> None:
        """Remember what the API wrote, for ``/sandbox/state``."""
        self.db.execute(
            "INSERT INTO sandbox_written (kind, doc_key, action, at) VALUES (?, ?, ?, ?)",
            (kind, key, action, now_text()),
        )

    def period_for(self, company: str, day: date) -> dict[str, Any] | None:
        return self.row(
            "SELECT * FROM periods WHERE company_no = ? AND beginning_date <= ? "
            "AND ending_date >= ?",
            (company, day_text(day), day_text(day)),
        )

    def close(self) -> None:
        self.db.close()


def _check_columns(table: str, values: dict[str, Any]) -> None:
    unknown = set(values) - set(TABLES[table])
    if unknown:
        raise KeyError(f"unknown columns for {table}: {sorted(unknown)}")
