"""`/api/reconciliation/payouts`: each payout's reconciliation run, its lines, totals per result
and the GL document it produced. Bearer token required (viewer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import and_, func, select, true

from stripe_p21.auth.guards import requires
from stripe_p21.db.tables import TokenRole, table_of
from stripe_p21.pipeline.mapping.money import to_decimal
from stripe_p21.pipeline.sync.links import find_link
from stripe_p21.pipeline.tables import ReconciliationLine, ReconciliationRun
from stripe_p21.runtime.services import Services

_RUNS = table_of(ReconciliationRun).c
_LINES = table_of(ReconciliationLine).c


@dataclass
class RunSummary:
    id: int
    payout_id: str
    currency: str
    amount: str
    amount_minor: int
    automatic: bool
    status: str
    transactions: int
    matched: int
    breaks: int
    unexplained_remainder: str
    unexplained_minor: int
    gl_document_no: str | None
    mapping_version: str
    created_at: datetime

    @classmethod
    def of(cls, run: ReconciliationRun) -> RunSummary:
        assert run.id is not None  # noqa: S101 - stored rows have ids
        return cls(
            id=run.id, payout_id=run.payout_id, currency=run.currency,
            amount=str(to_decimal(run.amount_minor, run.currency)),
            amount_minor=run.amount_minor, automatic=run.automatic, status=run.status,
            transactions=run.transactions, matched=run.matched, breaks=run.breaks,
            unexplained_remainder=str(to_decimal(run.unexplained_minor, run.currency)),
            unexplained_minor=run.unexplained_minor, gl_document_no=run.gl_document_no,
            mapping_version=run.mapping_version, created_at=run.created_at,
        )  # fmt: skip


@dataclass
class LineView:
    balance_transaction_id: str | None
    source_id: str | None
    type: str
    result: str
    amount: str
    fee: str
    net: str
    p21_document_no: str | None
    p21_amount_minor: int | None
    note: str | None


@dataclass
class ResultTotal:
    result: str
    count: int
    amount: str
    net: str


@dataclass
class GLDocument:
    transaction_number: str
    status: str
    mapping_version: str
    entry: dict[str, Any]
    """Lines by role with debit and credit, as posted (the truth file's `gl_entries[]` form)."""


@dataclass
class RunDetail:
    run: RunSummary
    lines: list[LineView]
    totals: list[ResultTotal]
    gl: GLDocument | None


@dataclass
class RunPage:
    data: list[RunSummary]
    total: int


def _line(line: ReconciliationLine, currency: str) -> LineView:
    def money(minor: int) -> str:
        return str(to_decimal(minor, currency))

    return LineView(
        line.balance_transaction_id, line.source_id, line.type, line.result,
        money(line.amount_minor), money(line.fee_minor), money(line.net_minor),
        line.p21_document_no, line.p21_amount_minor, line.note,
    )  # fmt: skip


def _totals(lines: list[ReconciliationLine], currency: str) -> list[ResultTotal]:
    sums: dict[str, list[int]] = {}
    for line in lines:
        bucket = sums.setdefault(line.result, [0, 0, 0])
        bucket[0] += 1
        bucket[1] += line.amount_minor
        bucket[2] += line.net_minor
    return [
        ResultTotal(result, n, str(to_decimal(gross, currency)), str(to_decimal(net, currency)))
        for result, (n, gross, net) in sorted(sums.items())
    ]


class ReconciliationController(Controller):
    path = "/api/reconciliation"
    tags = ["reconciliation"]

    @get("/payouts", guards=[requires(TokenRole.VIEWER)], summary="Reconciled payouts")
    async def list_payouts(
        self,
        request: Request[Any, Any, State],
        status: FromQuery[str | None] = None,
        currency: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> RunPage:
        conditions = []
        if status:
            conditions.append(_RUNS.status == status)
        if currency:
            conditions.append(_RUNS.currency == currency.lower())
        where = and_(true(), *conditions)
        services: Services = request.app.state.services
        async with services.sessions() as session:
            rows = (
                await session.execute(
                    select(ReconciliationRun)
                    .where(where)
                    .order_by(_RUNS.created_at.desc(), _RUNS.id.desc())
                    .limit(limit)
                    .offset(offset)
                )
            ).scalars()
            data = [RunSummary.of(run) for run in rows]
            count = select(func.count()).select_from(table_of(ReconciliationRun)).where(where)
            total = int((await session.execute(count)).scalar_one())
        return RunPage(data=data, total=total)

    @get(
        "/payouts/{payout_id:str}",
        guards=[requires(TokenRole.VIEWER)],
        summary="One payout's reconciliation, lines, totals and GL document",
    )
    async def get_payout(
        self, request: Request[Any, Any, State], payout_id: FromPath[str]
    ) -> RunDetail:
        services: Services = request.app.state.services
        async with services.sessions() as session:
            stmt = select(ReconciliationRun).where(_RUNS.payout_id == payout_id)
            run = (await session.execute(stmt)).scalar_one_or_none()
            if run is None:
                raise NotFoundException(f"no reconciliation for payout {payout_id}")
            query = select(ReconciliationLine).where(_LINES.run_id == run.id)
            lines = list((await session.execute(query.order_by(_LINES.id))).scalars())
            link = await find_link(session, payout_id, "gl_payout")
        gl = None
        if link is not None:
            entry = link.details.get("journal")
            gl = GLDocument(
                transaction_number=link.p21_document_no,
                status=link.status,
                mapping_version=link.mapping_version,
                entry=entry if isinstance(entry, dict) else {},
            )
        return RunDetail(
            run=RunSummary.of(run),
            lines=[_line(line, run.currency) for line in lines],
            totals=_totals(lines, run.currency),
            gl=gl,
        )
