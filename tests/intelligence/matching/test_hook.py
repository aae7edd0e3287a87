"""The sync-flow hook end to end: index built from the in-process P21 sandbox through the
connector, refreshed incrementally, matches decided, reviewer decisions honoured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from stripe_p21.connectors.p21 import P21Client
from stripe_p21.connectors.p21.schemas import CustomerChanges
from stripe_p21.db.migrate import upgrade
from stripe_p21.intelligence.matching.decisions import DecisionKind, record_decision
from stripe_p21.intelligence.matching.hook import CustomerMatcher, build_matcher
from stripe_p21.sandbox.p21.app import create_app
from stripe_p21.sandbox.p21.seed import generate

SEED = generate().customers


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'match.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_async_engine(url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
async def p21() -> AsyncIterator[P21Client]:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with P21Client("http://p21.test", username="api_user", password="p21-sandbox",
                         transport=transport, retry_backoff=0.01) as client:  # fmt: skip
        yield client
    app.close()


@pytest.fixture
async def matcher(sessions: async_sessionmaker[AsyncSession], p21: P21Client) -> CustomerMatcher:
    matcher = build_matcher(None, sessions, p21)
    await matcher.refresh()
    return matcher


def _stripe(customer_id: str, **fields: object) -> dict[str, object]:
    return {"id": customer_id, "object": "customer", "metadata": {}, **fields}


async def test_index_holds_the_sandbox_customers(matcher: CustomerMatcher) -> None:
    state = await matcher.store.state()
    assert state is not None and state.customers == len(SEED)
    again = await matcher.refresh()
    assert again is not None and again.changed <= 1  # one-second overlap only


async def test_known_customer_links_and_new_company_is_new(matcher: CustomerMatcher) -> None:
    known = SEED[3]
    outcome = await matcher.match(_stripe(
        "cus_known", name=known.name.upper(), email=known.email, phone=known.phone,
        address={"line1": known.address1, "city": known.city, "postal_code": known.postal_code,
                 "country": "US"},
    ))  # fmt: skip
    assert outcome.decision == "link"
    assert outcome.p21_customer_id == known.customer_id
    assert outcome.probability >= matcher.model.thresholds.link
    assert outcome.model_version == matcher.model.version
    fresh = await matcher.match(_stripe("cus_new", name="Zyxwv Quantum Robotics GmbH",
                                        email="hello@zyxwv-robotics.de"))  # fmt: skip
    assert fresh.decision == "new" and fresh.p21_customer_id is None


async def test_dba_names_go_to_review(matcher: CustomerMatcher) -> None:
    known = SEED[5]
    base = known.name.rsplit(" ", 1)[0]
    outcome = await matcher.match(_stripe(
        "cus_dba", name=f"{base} dba Summit Mill Supply", email=known.email.upper(),
        phone=known.phone,
    ))  # fmt: skip
    assert outcome.decision == "review"
    assert outcome.reason == "dba_name"
    assert outcome.p21_customer_id == known.customer_id


async def test_reviewer_decisions_are_honoured(
    matcher: CustomerMatcher, sessions: async_sessionmaker[AsyncSession]
) -> None:
    known = SEED[7]
    customer = _stripe("cus_reviewed", name=known.name, email=known.email)
    await record_decision(sessions, stripe_customer_id="cus_reviewed",
                          p21_customer_id=known.customer_id, decision=DecisionKind.REJECT,
                          reviewer="alice")  # fmt: skip
    rejected = await matcher.match(customer)
    assert all(c.key != str(known.customer_id) for c in rejected.candidates)
    await record_decision(sessions, stripe_customer_id="cus_reviewed", p21_customer_id=None,
                          decision=DecisionKind.NEW, reviewer="alice")  # fmt: skip
    decided = await matcher.match(customer)
    assert (decided.decision, decided.reason) == ("new", "reviewer_decision")


async def test_metadata_id_wins(matcher: CustomerMatcher) -> None:
    known = SEED[9]
    outcome = await matcher.match(
        _stripe("cus_meta", name="Anything", metadata={"p21_customer_id": str(known.customer_id)})
    )
    assert (outcome.decision, outcome.reason) == ("link", "metadata")


async def test_incremental_refresh_picks_up_renamed_customer(
    matcher: CustomerMatcher, p21: P21Client
) -> None:
    target = SEED[11]
    await p21.update_customer(target.customer_id, CustomerChanges(name="Vantablack Widgets LLC"))
    result = await matcher.refresh()
    assert result is not None and 1 <= result.changed <= 3
    outcome = await matcher.match(_stripe("cus_renamed", name="Vantablack Widgets",
                                          email="x@example.org"))  # fmt: skip
    assert outcome.candidates and outcome.candidates[0].key == str(target.customer_id)
