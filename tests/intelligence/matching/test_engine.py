"""Blocking, features, training and assignment on small generated sets."""

from __future__ import annotations

import numpy as np
import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.intelligence.matching.blocking import name_keys
from stripe_p21.intelligence.matching.corruptions import business_set
from stripe_p21.intelligence.matching.features import FEATURES, evidence, pair_features
from stripe_p21.intelligence.matching.matcher import Matcher, ScoredPairs, greedy_assignment
from stripe_p21.intelligence.matching.model import MatchModel
from stripe_p21.intelligence.matching.records import CustomerRecord, prepare
from stripe_p21.intelligence.matching.training import candidates, pair_metrics, predict, train


@pytest.fixture(scope="module")
def model() -> MatchModel:
    return MatchModel.load()


def test_a_typo_still_shares_a_name_key() -> None:
    original = name_keys(("baker", "mechanical"))
    assert original & name_keys(("bkaer", "mechanical"))  # swapped letters
    assert original & name_keys(("bakr", "mechanical"))  # dropped letter
    assert not original & name_keys(("walsh", "controls"))


def test_blocking_keeps_true_pairs_and_cuts_comparisons() -> None:
    data = candidates(business_set("dev", p21_customers=800, stripe_customers=400))
    assert data.blocking_recall >= 0.995
    assert data.reduction_ratio >= 100


def _pair(a: CustomerRecord, b: CustomerRecord) -> dict[str, float | None]:
    one = np.zeros(1, dtype=np.int64)
    return evidence(pair_features([prepare(a)], [prepare(b)], one, one)[0])


def test_features_snapshot(snapshot: SnapshotAssertion) -> None:
    stripe = CustomerRecord(
        "cus_1",
        name="Baker Mech. LLC",
        email="ap@bakermech.com",
        phone="216-555-0100",
        line1="12 Main Street",
        postal_code="44101",
    )
    p21 = CustomerRecord(
        "100001",
        name="Baker Mechanical Inc.",
        email="orders@bakermech.com",
        phone="(216) 555-0100",
        line1="12 Main St",
        postal_code="44101",
    )
    assert _pair(stripe, p21) == snapshot


def test_a_shared_free_mail_domain_is_no_evidence() -> None:
    a = CustomerRecord("cus_1", name="Apex Controls", email="maria.jensen@gmail.com")
    b = CustomerRecord("100001", name="Pioneer Fastener", email="tony.quinn@gmail.com")
    features = _pair(a, b)
    assert features["company_domain_equal"] is None
    assert features["email_equal"] == 0.0
    assert features["phone_equal"] is None  # missing is not disagreement


def test_greedy_assignment_links_each_side_once() -> None:
    pairs = ScoredPairs(
        np.array([0, 0, 1], dtype=np.int64),
        np.array([5, 6, 5], dtype=np.int64),
        np.zeros((3, len(FEATURES))),
        np.array([0.9, 0.6, 0.95]),
    )
    best, prob = greedy_assignment(pairs, 2)
    assert best.tolist() == [6, 5]
    assert prob.tolist() == [0.6, 0.95]


def test_training_is_deterministic_and_learns() -> None:
    train_set = candidates(business_set("train", p21_customers=600, stripe_customers=400))
    dev_set = candidates(business_set("dev", p21_customers=600, stripe_customers=300))
    first = train(train_set, dev_set, version="t", one_to_one=False)
    second = train(train_set, dev_set, version="t", one_to_one=False)
    assert first.thresholds == second.thresholds
    assert np.array_equal(first.probability(dev_set.features), second.probability(dev_set.features))
    top = predict(first, dev_set, one_to_one=False)
    assert pair_metrics(top, first.thresholds.match).f1 > 0.97


def test_shipped_model_ranks_the_true_customer_first(model: MatchModel) -> None:
    data = business_set("test", p21_customers=300, stripe_customers=100)
    engine = Matcher(model, data.index)
    query = next(q for q in data.queries if q.key in data.truth)
    ranked = engine.rank(query)
    assert ranked[0].key == data.truth[query.key]
    assert 0.0 <= ranked[-1].probability <= ranked[0].probability <= 1.0
    assert set(ranked[0].evidence) == set(FEATURES)


def test_a_second_strong_candidate_means_review(model: MatchModel) -> None:
    twins = [
        CustomerRecord(
            "1", name="Baker Mechanical Inc.", email="ap@baker.com", postal_code="44101"
        ),
        CustomerRecord("2", name="Baker Mechanical Inc", email="ap@baker.com", postal_code="44101"),
    ]
    engine = Matcher(model, twins)
    query = CustomerRecord(
        "cus_1", name="Baker Mechanical", email="ap@baker.com", postal_code="44101"
    )
    ranked = engine.rank(query)
    assert len(ranked) == 2
    assert engine.decide(ranked, trade_name=False) in ("review", "new")
