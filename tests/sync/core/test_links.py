"""`record_link` inserts once per (object, kind), on both databases, even when two jobs race."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from stripe_p21.pipeline.sync.links import record_link
from stripe_p21.pipeline.tables import SyncLink
from tests.support.stack import Stack


async def _record(stack: Stack, document: str) -> SyncLink:
    async with stack.services.sessions() as session, session.begin():
        return await record_link(
            session,
            stripe_object_id="ch_3QraceRACEraceRACE",
            stripe_object_type="charge",
            kind="order",
            p21_document_no=document,
            mapping_version="test",
            details={"by": document},
        )


async def test_the_second_record_returns_the_first_link(stack: Stack) -> None:
    first = await _record(stack, "1000001")
    second = await _record(stack, "1000002")
    assert second.id == first.id
    assert second.p21_document_no == "1000001" and second.details == {"by": "1000001"}


async def test_racing_records_leave_one_row(stack: Stack) -> None:
    links = await asyncio.gather(*(_record(stack, f"10000{i:02d}") for i in range(8)))
    assert len({link.id for link in links}) == 1
    assert len({link.p21_document_no for link in links}) == 1
    async with stack.services.sessions() as session:
        rows = (await session.execute(select(func.count()).select_from(SyncLink))).scalar_one()
    assert rows == 1
