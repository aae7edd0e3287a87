"""`create_order_once`: look up by po_no first; after a lost answer, look up, never resend."""

from __future__ import annotations

from typing import Any, cast

import pytest

from stripe_p21.connectors.p21 import (
    OrderRef,
    OrderSummary,
    P21Gateway,
    P21OutcomeUnknown,
    P21TransientError,
    create_order_once,
)

from .factories import order_draft


class FakeP21:
    """Only what ``create_order_once`` uses: an order book keyed by po_no."""

    def __init__(self, *, commit_then_fail: type[Exception] | None = None) -> None:
        self.orders: dict[str, list[OrderSummary]] = {}
        self.creates = 0
        self.commit_then_fail = commit_then_fail

    async def find_orders_by_reference(self, po_no: str) -> list[OrderSummary]:
        return list(self.orders.get(po_no, []))

    async def _create(self, draft: Any, rma: bool) -> OrderRef:
        self.creates += 1
        order_no = f"{1000000 + self.creates:07d}"
        summary = OrderSummary(order_no, 100001, draft.po_no, None, rma, False, True)
        self.orders.setdefault(draft.po_no, []).append(summary)
        if self.commit_then_fail is not None:
            raise self.commit_then_fail("answer lost")
        return OrderRef(order_no, draft.po_no)

    async def create_order(self, draft: Any) -> OrderRef:
        return await self._create(draft, False)

    async def create_rma(self, draft: Any) -> OrderRef:
        return await self._create(draft, True)


def gateway(fake: FakeP21) -> P21Gateway:
    return cast(P21Gateway, fake)


async def test_existing_order_is_returned_without_a_write() -> None:
    fake = FakeP21()
    draft = order_draft()
    first = await create_order_once(gateway(fake), draft)
    second = await create_order_once(gateway(fake), draft)
    assert first.created and not second.created and fake.creates == 1
    assert first.order.order_no == second.order.order_no


async def test_lost_answer_is_resolved_by_looking_up() -> None:
    fake = FakeP21(commit_then_fail=P21OutcomeUnknown)
    result = await create_order_once(gateway(fake), order_draft())
    assert result.created and fake.creates == 1


async def test_lost_answer_with_nothing_committed_is_raised_for_a_later_retry() -> None:
    class NothingCommitted(FakeP21):
        async def _create(self, draft: Any, rma: bool) -> OrderRef:
            self.creates += 1
            raise P21OutcomeUnknown("answer lost")

    fake = NothingCommitted()
    with pytest.raises(P21OutcomeUnknown):
        await create_order_once(gateway(fake), order_draft())
    assert fake.creates == 1


async def test_rmas_and_orders_with_the_same_reference_are_kept_apart() -> None:
    fake = FakeP21()
    draft = order_draft()
    order = await create_order_once(gateway(fake), draft)
    rma = await create_order_once(gateway(fake), draft, rma=True)
    assert order.order.order_no != rma.order.order_no and fake.creates == 2


async def test_transient_failures_are_not_swallowed() -> None:
    fake = FakeP21(commit_then_fail=P21TransientError)
    with pytest.raises(P21TransientError):
        await create_order_once(gateway(fake), order_draft())
