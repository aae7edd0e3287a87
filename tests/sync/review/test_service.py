"""Review service rules: one item per problem, never asked twice after a decision, a failed
retry reopens, every action audited with its note."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stripe_p21.review.service import ReviewActionError, ReviewRequest, act, raise_item
from stripe_p21.review.tables import AuditLog
from tests.support.stack import Stack

REQUEST = ReviewRequest(
    queue="mapping", reason="unknown_item", title="Item SAMPLE-PACK unknown",
    stripe_object_id="ch_Svc1charge", message="Item SAMPLE-PACK unknown", evidence={"n": 1},
)  # fmt: skip


async def test_raising_again_counts_and_merges_then_decisions_stick(stack: Stack) -> None:
    async with stack.services.sessions() as session, session.begin():
        first = await raise_item(session, REQUEST)
        again = await raise_item(
            session, ReviewRequest(**{**_fields(REQUEST), "evidence": {"m": 2}})
        )
        assert again.id == first.id and again.occurrences == 2
        assert again.evidence == {"n": 1, "m": 2}
        with pytest.raises(ReviewActionError, match="note is required"):
            await act(session, again, "resolve", actor="me", note=" ")
        with pytest.raises(ReviewActionError, match="unknown action"):
            await act(session, again, "explode", actor="me", note="why")
        await act(session, again, "dismiss", actor="me", note="sample packs are free")
        after = await raise_item(session, REQUEST)
        assert after.status == "dismissed" and after.occurrences == 2, "never asked twice"
        reopened = await raise_item(session, REQUEST, reopen=True)
        assert reopened.status == "open" and reopened.resolution_note is None
        await act(session, reopened, "retry", actor="me", note="mapped it")
        failed_again = await raise_item(session, REQUEST)
        assert failed_again.status == "open" and failed_again.occurrences == 4
        with pytest.raises(ValueError, match="unknown review queue"):
            await raise_item(session, ReviewRequest(queue="nope", reason="r", title="t"))
    async with stack.services.sessions() as session:
        actions = (await session.execute(select(AuditLog.action).order_by(AuditLog.id))).scalars()  # type: ignore[arg-type]
        assert list(actions) == ["raised", "dismiss", "reopened", "retry", "reopened"]


def _fields(request: ReviewRequest) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}
