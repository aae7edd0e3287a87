"""The values the P21 client takes and returns, independent of P21's wire shapes.

Drafts are what the pipeline asks P21 to create; records are what P21 has. Money is ``Decimal``
end to end (floats are refused) and becomes P21's string form ("125.00") only in the builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

AmountLike = Decimal | int | str
"""What the client accepts for money and quantities; a float is never exact enough."""


def to_decimal(value: AmountLike) -> Decimal:
    """An exact decimal from a Decimal, int or numeric string; floats raise ``TypeError``."""
    if isinstance(value, float | bool):
        raise TypeError("P21 amounts must be Decimal, int or str, never float")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def format_amount(value: AmountLike) -> str:
    """P21's money string: at least two decimals ("125.00"), more only when the value has them."""
    amount = to_decimal(value)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        amount = amount.quantize(Decimal("0.01"))
    return f"{amount:f}"


def format_quantity(value: AmountLike) -> str:
    """A quantity as P21 takes it: "5", "2.5" (no exponent, no trailing zeros)."""
    quantity = to_decimal(value)
    text = f"{quantity.normalize():f}"
    return text if text != "-0" else "0"


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class CustomerDraft:
    """A customer to create through the Entity API."""

    name: str
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    terms_id: str | None = None
    credit_limit: AmountLike | None = None
    currency_id: str | None = None
    customer_type: str | None = None
    salesrep_id: str | None = None


@dataclass(frozen=True)
class CustomerChanges:
    """Fields to change on an existing customer; ``None`` leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    terms_id: str | None = None
    credit_limit: AmountLike | None = None
    credit_status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Raw PascalCase Entity fields, sent as given (for fields this class does not name)."""


@dataclass(frozen=True)
class P21Customer:
    """A customer as P21's Entity API returns it; ``raw`` keeps every field P21 sent."""

    customer_id: int
    company_id: str
    name: str
    email: str | None
    phone: str | None
    address: Address
    terms_id: str | None
    credit_limit: Decimal | None
    credit_status: str | None
    currency_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def key(self) -> str:
        """The Entity key P21 wants in URLs: ``{CompanyId}_{CustomerId}``."""
        return f"{self.company_id}_{self.customer_id}"


EXTENDED_DESC_MAX = 255
"""Characters ``oe_line.extended_desc`` holds; longer texts are cut by the payload builders."""


def extended_desc_text(value: str | None) -> str | None:
    """A line's extended description as P21 takes it: at most ``EXTENDED_DESC_MAX`` characters."""
    return None if value is None else value[:EXTENDED_DESC_MAX]


@dataclass(frozen=True)
class OrderLine:
    item_id: str
    quantity: AmountLike
    unit_price: AmountLike | None = None
    unit_of_measure: str | None = None
    extended_desc: str | None = None
    """Free text kept on the P21 line (``oe_line.extended_desc``), e.g. a service period; sent
    only when set, cut to ``EXTENDED_DESC_MAX`` characters."""


@dataclass(frozen=True)
class Payment:
    """A remittance row; ``reference`` (the Stripe id) goes into ``payment_desc``."""

    amount: AmountLike
    reference: str
    payment_type_id: str = "STRIPE"
    payment_date: date | None = None
    authorization_number: str | None = None


@dataclass(frozen=True)
class OrderDraft:
    """A sales order (or, with ``rma``, a return/credit) keyed by a Stripe reference in po_no."""

    customer_id: int | str
    po_no: str
    lines: tuple[OrderLine, ...]
    payment: Payment | None = None
    order_date: date | None = None
    requested_date: date | None = None
    location_id: str = "10"
    taker: str | None = None
    currency_id: str | None = None
    extra_edits: tuple[tuple[str, str], ...] = ()
    """Further header edits (user-defined fields), applied after the standard ones, in order."""


@dataclass(frozen=True)
class OrderRef:
    order_no: str
    po_no: str | None = None


@dataclass(frozen=True)
class OrderSummary:
    """An ``oe_hdr`` row from OData."""

    order_no: str
    customer_id: int | None
    po_no: str | None
    order_date: datetime | None
    rma: bool
    cancelled: bool
    approved: bool


@dataclass(frozen=True)
class OrderLineRecord:
    line_no: int
    item_id: str
    quantity: Decimal
    unit_price: Decimal
    extended_price: Decimal
    extended_desc: str | None = None


@dataclass(frozen=True)
class P21Order:
    """A sales order read through ``/api/sales/orders/{orderNo}``."""

    order_no: str
    customer_id: int | None
    po_no: str | None
    approved: bool
    cancelled: bool
    rma: bool
    lines: tuple[OrderLineRecord, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Invoice:
    """An ``invoice_hdr`` row: P21 invoices an order when it ships, so ``order_no`` names the
    order it came from (where a payment of the invoice is applied); None when P21 shows none."""

    invoice_no: str
    order_no: str | None
    customer_id: int | None
    total_amount: Decimal
    amount_paid: Decimal
    paid_in_full: bool

    @property
    def open_balance(self) -> Decimal:
        """What is still owed on the invoice."""
        return self.total_amount - self.amount_paid


@dataclass(frozen=True)
class InvoiceRef:
    """A direct invoice (``create_direct_invoice``): the invoice and the completed order it billed.

    ``invoice_no`` is None only when a lookup found the order for a Stripe reference but P21 has
    not invoiced it (yet): an order is invoiced when it ships."""

    invoice_no: str | None
    order_no: str


@dataclass(frozen=True)
class JournalLine:
    account_number: str
    amount: AmountLike
    """Signed: debits positive, credits negative; the lines of an entry must sum to zero."""
    description: str = ""
    foreign_amount: AmountLike | None = None


@dataclass(frozen=True)
class JournalEntry:
    period: int
    year: int
    journal_id: str
    transaction_date: date
    lines: tuple[JournalLine, ...]
    source: str = "STRIPE"
    description: str = ""


@dataclass(frozen=True)
class PostedJournal:
    transaction_number: str
    lines: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Period:
    year: int
    period: int
    closed: bool
    begins: datetime | None = None
    ends: datetime | None = None


@dataclass(frozen=True)
class Item:
    item_id: str
    description: str
    price: Decimal | None
    unit: str | None
    deleted: bool = False


@dataclass(frozen=True)
class CustomerRow:
    """A ``customer`` row from OData, used to page through recent changes."""

    customer_id: int
    name: str
    company_id: str | None
    deleted: bool
    modified: datetime | None
