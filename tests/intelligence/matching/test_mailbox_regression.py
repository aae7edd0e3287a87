"""Regression: another mailbox at the customer's company domain is the same customer.

P21 sandbox customer 100018 is "Reyes Packaging Co." <billing@reyespackaging.com>. Model
customer-match-1.0 sent "Reyes Packaging Company" <ap@reyespackaging.com> to "new"
(probability 0.009): the training base let namesakes share a company domain and the name
feature that keeps the legal suffix saw "co" and "company" as different words."""

from __future__ import annotations

import pytest

from stripe_p21.intelligence.matching.corruptions import p21_record
from stripe_p21.intelligence.matching.matcher import Decision, Matcher
from stripe_p21.intelligence.matching.model import MatchModel
from stripe_p21.intelligence.matching.normalise import name_form
from stripe_p21.intelligence.matching.records import CustomerRecord, prepare
from stripe_p21.sandbox.p21.seed import generate


@pytest.fixture(scope="module")
def engine() -> Matcher:
    return Matcher(MatchModel.load(), [p21_record(c) for c in generate().customers])


def _decide(engine: Matcher, name: str, email: str) -> tuple[Decision, str | None, float]:
    record = CustomerRecord("cus_regression", name=name, email=email)
    ranked = engine.rank(record)
    decision = engine.decide(ranked, trade_name=prepare(record).trade_name)
    return decision, ranked[0].key if ranked else None, ranked[0].probability if ranked else 0.0


def test_seed_customer_is_the_one_reported() -> None:
    reyes = next(c for c in generate().customers if c.customer_id == 100018)
    assert (reyes.name, reyes.email) == ("Reyes Packaging Co.", "billing@reyespackaging.com")


def test_co_and_company_are_one_legal_form() -> None:
    co, company = name_form("Reyes Packaging Co."), name_form("Reyes Packaging Company")
    assert co is not None and company is not None
    assert co.full == company.full == "reyes packaging co"
    llc = name_form("Reyes Packaging LLC")
    assert llc is not None and llc.full != co.full  # another legal form stays different


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Reyes Packaging Co.", "billing@reyespackaging.com"),
        ("Reyes Packaging Company", "billing@reyespackaging.com"),
        ("Reyes Packaging Company", "ap@reyespackaging.com"),
        ("Reyes Packaging Co.", "ap@reyespackaging.com"),
        ("Reyes Packaging Co.", "accounts@reyespackaging.com"),
    ],
)
def test_same_name_at_the_company_domain_links(engine: Matcher, name: str, email: str) -> None:
    decision, key, probability = _decide(engine, name, email)
    assert (decision, key) == ("link", "100018")
    assert probability >= 0.95


def test_another_legal_form_at_another_domain_is_not_linked(engine: Matcher) -> None:
    for email in ("ap@reyespackagingusa.com", "info@reyespackaging.net"):
        decision, _, _ = _decide(engine, "Reyes Packaging LLC", email)
        assert decision == "new"


def test_a_free_mail_domain_is_no_company_evidence(engine: Matcher) -> None:
    # P21 100023 "Quinn Contractors Supply Corp." writes from karen.nguyen74@gmail.com. Another
    # legal form on another gmail.com mailbox is the free-mail analogue of the company-domain
    # case above: sharing gmail.com must not link it.
    quinn = next(c for c in generate().customers if c.customer_id == 100023)
    assert quinn.email.endswith("@gmail.com")
    decision, _, probability = _decide(engine, "Quinn Contractors Supply LLC", "ap.quinn@gmail.com")
    assert decision == "new"
    assert probability < 0.05
    # The same change of legal form at a company domain shared with P21 is at least reviewed.
    decision, key, _ = _decide(engine, "Reyes Packaging LLC", "ap@reyespackaging.com")
    assert (decision, key) == ("review", "100018")


def test_a_different_company_sharing_only_the_domain_stays_apart(engine: Matcher) -> None:
    decision, _, _ = _decide(engine, "Northgate Packaging LLC", "ap@reyespackaging.com")
    assert decision == "new"
    decision, _, _ = _decide(engine, "Reyes Hydraulics LLC", "info@reyeshydraulics.com")
    assert decision == "new"
