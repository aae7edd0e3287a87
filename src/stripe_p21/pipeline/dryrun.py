"""Dry-run replay: run an event's handler with the current mapping against gateways that read
through and record every write, inside a database transaction that is rolled back — then show
the P21 commands it would send and how they differ from what was written.

`fresh=True` (the default) hides what earlier runs left behind — the object's sync links and
watermarks, P21's answer to "is there a document for this Stripe id?" and the payments carrying
that id — so the full set of commands shows, as on the first run. `fresh=False` shows what a
replay would do now (usually nothing: the document exists)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import msgspec
import structlog
from sqlalchemy import delete, event, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.connectors.p21.errors import P21Error
from stripe_p21.connectors.p21.gateway import P21Gateway
from stripe_p21.connectors.p21.schemas import (
    CustomerDraft,
    InvoiceRef,
    JournalEntry,
    OrderDraft,
    OrderRef,
    OrderSummary,
    P21Customer,
    P21Order,
    PostedJournal,
)
from stripe_p21.connectors.stripe.gateway import StripeGateway
from stripe_p21.db.engine import create_engine
from stripe_p21.db.tables import ObjectWatermark, StripeEvent, table_of
from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import NeedsReview, PermanentError
from stripe_p21.pipeline.gateways import Gateways
from stripe_p21.pipeline.mapping.config import MappingConfig
from stripe_p21.pipeline.registry import HandlerRegistry
from stripe_p21.pipeline.tables import SyncLink
from stripe_p21.settings import Settings

log = structlog.get_logger(__name__)
DRY_PREFIX = "DRY-"
_READS = ("find_", "get_", "list_", "customers_modified_since", "retrieve_", "events_since")


def plain(value: Any) -> Any:
    """JSON-able form of commands (dataclasses, decimals, dates, tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "raw"
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass(frozen=True, slots=True)
class Command:
    """One write a handler asked for, recorded instead of sent."""

    system: str
    method: str
    args: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"system": self.system, "method": self.method, "args": plain(self.args)}


class RecordingP21:
    """Reads go to the real P21; writes are recorded and answered with stand-ins (`DRY-n`)."""

    def __init__(self, real: P21Gateway, *, hidden_references: frozenset[str] = frozenset()):
        self._real = real
        self._hidden = hidden_references
        self._numbers = itertools.count(1)
        self._drafts: dict[str, tuple[OrderDraft, bool]] = {}
        self.commands: list[Command] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith(_READS):
            return getattr(self._real, name)
        raise AttributeError(f"dry run: P21 gateway call {name!r} is not known to be a read")

    def _record(self, method: str, **args: Any) -> str:
        self.commands.append(Command("p21", method, args))
        return f"{DRY_PREFIX}{next(self._numbers)}"

    async def find_orders_by_reference(self, po_no: str) -> list[OrderSummary]:
        if po_no in self._hidden:
            return []
        return await self._real.find_orders_by_reference(po_no)

    async def get_order(self, order_no: str) -> P21Order:
        if order_no in self._drafts:
            draft, rma = self._drafts[order_no]
            return P21Order(
                order_no,
                _int(draft.customer_id),
                draft.po_no,
                True,
                False,
                rma,
                (),
                raw={"Payments": {"list": []}},
            )
        order = await self._real.get_order(order_no)
        if not self._hidden:
            return order
        payments = ((order.raw.get("Payments") or {}).get("list")) or []
        kept = [p for p in payments if str(p.get("PaymentDesc") or "") not in self._hidden]
        return dataclasses.replace(order, raw={**order.raw, "Payments": {"list": kept}})

    async def create_order(self, draft: OrderDraft) -> OrderRef:
        number = self._record("create_order", draft=draft)
        self._drafts[number] = (draft, False)
        return OrderRef(number, draft.po_no)

    async def create_direct_invoice(self, draft: OrderDraft) -> InvoiceRef:
        """A write (order, payment and invoice in one step): recorded, answered `DRY-n`."""
        number = self._record("create_direct_invoice", draft=draft)
        self._drafts[number] = (draft, False)
        return InvoiceRef(number, number)

    async def create_rma(self, draft: OrderDraft) -> OrderRef:
        number = self._record("create_rma", draft=draft)
        self._drafts[number] = (draft, True)
        return OrderRef(number, draft.po_no)

    async def add_payment(self, order_no: str, payment: Any) -> None:
        self._record("add_payment", order_no=order_no, payment=payment)

    async def hold_order(self, order_no: str) -> None:
        self._record("hold_order", order_no=order_no)

    async def release_order(self, order_no: str) -> None:
        self._record("release_order", order_no=order_no)

    async def cancel_order(self, order_no: str) -> None:
        self._record("cancel_order", order_no=order_no)

    async def post_journal_entry(self, entry: JournalEntry) -> PostedJournal:
        return PostedJournal(self._record("post_journal_entry", entry=entry), ())

    async def create_customer(self, draft: CustomerDraft) -> P21Customer:
        self._record("create_customer", draft=draft)
        return P21Customer(
            customer_id=0,
            company_id="",
            name=draft.name,
            email=draft.email,
            phone=draft.phone,
            address=draft.address or _address(),
            terms_id=draft.terms_id,
            credit_limit=None,
            credit_status=None,
            currency_id=draft.currency_id,
            raw={},
        )

    async def update_customer(self, customer_id: int | str, changes: Any) -> P21Customer:
        self._record("update_customer", customer_id=customer_id, changes=changes)
        found = await self._real.find_customer(customer_id)
        if found is None:
            raise P21Error(f"dry run: customer {customer_id} not found")
        return found


def _address() -> Any:
    from stripe_p21.connectors.p21.schemas import Address

    return Address()


def _int(value: int | str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RecordingStripe:
    """Retrieves go to Stripe; metadata write-backs are recorded, not sent."""

    def __init__(self, real: StripeGateway) -> None:
        self._real = real
        self.commands: list[Command] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith(_READS) or name in ("payout_balance_transactions", "aclose"):
            return getattr(self._real, name)
        raise AttributeError(f"dry run: Stripe gateway call {name!r} is not known to be a read")

    async def update_metadata(
        self,
        kind: Any,
        object_id: str,
        metadata: Mapping[str, str | None],
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        self.commands.append(
            Command(
                "stripe",
                "update_metadata",
                {"kind": kind, "object_id": object_id, "metadata": dict(metadata)},
            )
        )
        return {"id": object_id, "metadata": {k: v for k, v in metadata.items() if v}}


@dataclass(slots=True)
class DryRunResult:
    event_id: str
    event_type: str
    mapping_version: str
    outcome: str
    """processed / needs_review / failed / no_handler."""
    note: str | None
    commands: list[Command] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)
    """The sync links (and their P21 documents) earlier runs recorded for these objects."""
    would_link: list[dict[str, Any]] = field(default_factory=list)
    """Sync links this run recorded (then rolled back) that were not there before."""
    differences: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "mapping_version": self.mapping_version,
            "outcome": self.outcome,
            "note": self.note,
            "commands": [c.as_json() for c in self.commands],
            "written": self.written,
            "would_link": self.would_link,
            "differences": self.differences,
        }

    def text(self) -> str:
        lines = [
            f"{self.event_id} {self.event_type}: {self.outcome} with mapping "
            f"{self.mapping_version}" + (f" ({self.note})" if self.note else "")
        ]
        lines.append(f"Commands the current mapping would send ({len(self.commands)}):")
        for command in self.commands:
            body = msgspec.json.encode(command.as_json()["args"]).decode()
            lines.append(f"  {command.system}.{command.method} {body}")
        lines.append(f"Written before ({len(self.written)}):")
        for link in self.written:
            lines.append(
                f"  {link['p21_kind']} {link['p21_document_no']} for "
                f"{link['stripe_object_id']} (mapping {link['mapping_version']}, "
                f"{link['status']})"
            )
        for link in self.would_link:
            lines.append(
                f"  would record {link['p21_kind']} {link['p21_document_no']} for "
                f"{link['stripe_object_id']}"
            )
        lines.append("Differences:" if self.differences else "Differences: none")
        lines += [f"  - {d}" for d in self.differences]
        return "\n".join(lines)


def subjects_of(payload: dict[str, Any]) -> set[str]:
    """Stripe ids this event is about: its object and the charge/intent/refund it names."""
    obj = (payload.get("data") or {}).get("object") or {}
    found = {obj.get("id")}
    for key in ("charge", "latest_charge", "payment_intent", "invoice"):
        value = obj.get(key)
        found.add(value.get("id") if isinstance(value, dict) else value)
    return {str(s) for s in found if isinstance(s, str) and s}


@asynccontextmanager
async def rolled_back(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions whose commits are savepoints inside one transaction that is rolled back."""
    engine = create_engine(settings.db)
    if settings.db.is_sqlite:
        # pysqlite/aiosqlite begin lazily and break SAVEPOINT; take over BEGIN (SQLAlchemy docs).
        @event.listens_for(engine.sync_engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    try:
        async with engine.connect() as connection:
            outer = await connection.begin()
            try:
                yield async_sessionmaker(
                    bind=connection,
                    expire_on_commit=False,
                    join_transaction_mode="create_savepoint",
                )
            finally:
                await outer.rollback()
    finally:
        await engine.dispose()


async def _written(
    sessions: async_sessionmaker[AsyncSession], subjects: set[str], event_id: str
) -> list[SyncLink]:
    async with sessions() as session:
        stmt = SyncLink.__table__.select().where(  # type: ignore[attr-defined]
            or_(
                SyncLink.stripe_object_id.in_(sorted(subjects)),  # type: ignore[attr-defined]
                SyncLink.event_id == event_id,  # type: ignore[arg-type]
            )
        )
        rows = (await session.execute(stmt)).mappings().all()
        return [SyncLink(**dict(row)) for row in rows]


async def _hide(
    sessions: async_sessionmaker[AsyncSession], links: list[SyncLink], subjects: set[str]
) -> None:
    """Inside the rolled-back transaction: forget the links and watermarks of these objects."""
    ids = sorted({link.stripe_object_id for link in links} | subjects)
    async with sessions() as session, session.begin():
        await session.execute(
            delete(SyncLink).where(SyncLink.stripe_object_id.in_(ids))  # type: ignore[attr-defined]
        )
        column = table_of(ObjectWatermark).c.object_id
        await session.execute(delete(ObjectWatermark).where(column.in_(ids)))


async def dry_run(
    settings: Settings,
    event_id: str,
    *,
    registry: HandlerRegistry,
    stripe: StripeGateway,
    p21: P21Gateway,
    mapping: MappingConfig,
    fresh: bool = True,
) -> DryRunResult:
    """Run `event_id`'s handler without writing anywhere (see the module docstring)."""
    async with rolled_back(settings) as sessions:
        async with sessions() as session:
            stored = await session.get(StripeEvent, event_id)
        if stored is None:
            raise LookupError(f"no event {event_id} in the inbox")
        payload: dict[str, Any] = msgspec.json.decode(stored.payload)
        subjects = subjects_of(payload)
        written = await _written(sessions, subjects, event_id)
        hidden = frozenset(subjects | {link.stripe_object_id for link in written})
        if fresh:
            await _hide(sessions, written, set(subjects))
        fake_p21 = RecordingP21(p21, hidden_references=hidden if fresh else frozenset())
        fake_stripe = RecordingStripe(stripe)
        gateways = Gateways(
            settings,
            stripe=cast(StripeGateway, fake_stripe),
            p21=cast(P21Gateway, fake_p21),
            mapping=mapping,
        )
        result = DryRunResult(event_id, stored.type, mapping.version, "processed", None)
        handler = registry.get(stored.type)
        if handler is None:
            result.outcome, result.note = "no_handler", f"no handler for {stored.type}"
        else:
            ctx = HandlerContext(
                stored,
                payload,
                sessions,
                settings,
                log.bind(event_id=event_id, dry_run=True),
                gateways,
            )
            try:
                result.note = await handler(ctx)
            except NeedsReview as exc:
                result.outcome, result.note = "needs_review", f"{exc.queue}/{exc.reason}: {exc}"
            except PermanentError as exc:
                result.outcome, result.note = "needs_review", f"sync: {exc}"
            except Exception as exc:  # noqa: BLE001 - reported, like a failed job
                result.outcome, result.note = "failed", f"{type(exc).__name__}: {exc}"
        result.commands = [*fake_p21.commands, *fake_stripe.commands]
        result.written = [_link_json(link) for link in written]
        before = {(link.stripe_object_id, link.p21_kind, link.p21_document_no) for link in written}
        result.would_link = [
            _link_json(link)
            for link in await _written(sessions, set(), event_id)
            if (link.stripe_object_id, link.p21_kind, link.p21_document_no) not in before
        ]
        result.differences = await compare(
            result.commands, written, p21, mapping.version, fresh=fresh
        )
        return result


def _link_json(link: SyncLink) -> dict[str, Any]:
    return {
        "stripe_object_id": link.stripe_object_id,
        "p21_kind": link.p21_kind,
        "p21_document_no": link.p21_document_no,
        "status": link.status,
        "amount_minor": link.amount_minor,
        "currency": link.currency,
        "mapping_version": link.mapping_version,
        "event_id": link.event_id,
    }


_KIND_OF = {
    "create_order": "order",
    "create_direct_invoice": "order",
    "create_rma": "rma",
    "add_payment": "payment",
    "post_journal_entry": "gl_",
}


async def compare(
    commands: list[Command],
    written: list[SyncLink],
    p21: P21Gateway,
    version: str,
    *,
    fresh: bool = True,
) -> list[str]:
    """What the current mapping would write, against what was written (links + P21 documents).
    Only a fresh run can say a written document would no longer be written (as-is, an existing
    document is simply left alone)."""
    differences: list[str] = []
    for link in written:
        if link.mapping_version != version:
            differences.append(
                f"{link.p21_kind} {link.p21_document_no} was written with mapping "
                f"{link.mapping_version}, current is {version}"
            )
    for command in commands:
        kind = _KIND_OF.get(command.method)
        if kind is None:
            continue
        links = [link for link in written if link.p21_kind.startswith(kind)]
        if not links:
            differences.append(f"{command.method}: would be new — nothing was written for it")
            continue
        if command.method in ("create_order", "create_direct_invoice", "create_rma"):
            differences += await _compare_order(command.args["draft"], links[0], p21)
    for link in written if fresh else []:
        wanted = [c for c in commands if (_KIND_OF.get(c.method) or "-") in link.p21_kind]
        if not wanted and link.p21_kind in ("order", "rma", "payment", "gl_payout"):
            differences.append(
                f"{link.p21_kind} {link.p21_document_no} was written; the current "
                "mapping would not write it"
            )
    return differences


async def _compare_order(draft: OrderDraft, link: SyncLink, p21: P21Gateway) -> list[str]:
    try:
        order = await p21.get_order(link.p21_document_no)
    except P21Error as exc:
        return [f"order {link.p21_document_no}: cannot read it from P21 ({exc})"]
    found: list[str] = []
    if str(order.customer_id) != str(draft.customer_id):
        found.append(
            f"order {order.order_no}: customer {order.customer_id} written, {draft.customer_id} now"
        )
    want = sorted(
        (
            ln.item_id,
            Decimal(str(ln.quantity)),
            Decimal(str(ln.unit_price)) if ln.unit_price is not None else None,
        )
        for ln in draft.lines
    )
    have = sorted((ln.item_id, ln.quantity, ln.unit_price) for ln in order.lines)
    if [(i, q) for i, q, _ in want] != [(i, q) for i, q, _ in have] or any(
        w[2] is not None and w[2] != h[2] for w, h in zip(want, have, strict=False)
    ):
        found.append(f"order {order.order_no}: lines written {_lines(have)}, now {_lines(want)}")
    return found


def _lines(lines: Sequence[tuple[str, Decimal, Decimal | None]]) -> str:
    return "; ".join(f"{item} x{qty} @ {price}" for item, qty, price in lines)


async def dry_run_with_services(
    services: Any, event_id: str, *, fresh: bool = True
) -> DryRunResult:
    """`dry_run` with a process's real gateways, mapping and handler registry."""
    gateways: Gateways = services.gateways or Gateways(services.settings)
    return await dry_run(
        services.settings,
        event_id,
        registry=services.registry,
        stripe=gateways.stripe,
        p21=gateways.p21,
        mapping=gateways.mapping,
        fresh=fresh,
    )


def cli_dry_run(ids: tuple[str, ...], *, fresh: bool, as_json: bool) -> int:
    """`stripe-p21 replay --dry-run --id evt_…`: print each result; exit 1 if one is unknown."""
    import asyncio

    import click

    from stripe_p21.app import build_queue
    from stripe_p21.runtime.services import Services

    if not ids:
        raise click.UsageError("--dry-run needs at least one --id evt_…")
    settings = Settings()

    async def go() -> int:
        services = Services.build(settings, build_queue(settings))
        code = 0
        try:
            for event_id in ids:
                try:
                    result = await dry_run_with_services(services, event_id, fresh=fresh)
                except LookupError as exc:
                    click.echo(str(exc), err=True)
                    code = 1
                    continue
                text = msgspec.json.encode(result.as_json()).decode() if as_json else result.text()
                click.echo(text)
        finally:
            await services.close()
        return code

    return asyncio.run(go())
