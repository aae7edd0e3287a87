"""Training and scoring on labelled linkage sets: candidate pairs from blocking, labels from the
truth, a calibrated classifier, thresholds from the development split (never the test split)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stripe_p21.intelligence.matching.blocking import BlockingIndex
from stripe_p21.intelligence.matching.corruptions import LinkageSet
from stripe_p21.intelligence.matching.features import FEATURES, pair_features
from stripe_p21.intelligence.matching.matcher import ScoredPairs, best_per_query, greedy_assignment
from stripe_p21.intelligence.matching.model import (
    SEED,
    Curve,
    MatchModel,
    Thresholds,
    choose_thresholds,
    curve,
    fit_classifier,
    present_features,
)
from stripe_p21.intelligence.matching.records import PreparedRecord, prepare

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candidates:
    """A linkage set after blocking: prepared records, candidate pairs, features and labels."""

    data: LinkageSet
    queries: list[PreparedRecord]
    index: list[PreparedRecord]
    query: IntArray
    candidate: IntArray
    features: FloatArray
    labels: npt.NDArray[np.int64]

    @property
    def true_pairs(self) -> int:
        return len(self.data.truth)

    @property
    def blocking_recall(self) -> float:
        return float(self.labels.sum()) / max(self.true_pairs, 1)

    @property
    def reduction_ratio(self) -> float:
        return len(self.queries) * len(self.index) / max(len(self.query), 1)


def candidates(data: LinkageSet) -> Candidates:
    queries = [prepare(r) for r in data.queries]
    index = [prepare(r) for r in data.index]
    qi, ci = BlockingIndex.build(index).candidate_pairs(queries)
    features = pair_features(queries, index, qi, ci)
    truth = data.truth
    labels = np.fromiter(
        (
            truth.get(queries[q].key) == index[c].key
            for q, c in zip(qi.tolist(), ci.tolist(), strict=True)
        ),
        dtype=np.int64,
        count=len(qi),
    )
    return Candidates(data, queries, index, qi, ci, features, labels)


@dataclass(frozen=True)
class TopPredictions:
    """Each query's chosen candidate (-1 = none), its probability and whether it is right."""

    best: IntArray
    probability: FloatArray
    correct: npt.NDArray[np.bool_]
    positives: int

    def curve(self) -> Curve:
        chosen = self.best >= 0
        return curve(self.probability[chosen], self.correct[chosen], self.positives)


def predict(model: MatchModel, cands: Candidates, *, one_to_one: bool) -> TopPredictions:
    pairs = ScoredPairs(
        cands.query, cands.candidate, cands.features, model.probability(cands.features)
    )
    pick = greedy_assignment if one_to_one else best_per_query
    best, prob = pick(pairs, len(cands.queries))
    truth = cands.data.truth
    correct = np.array(
        [
            b >= 0 and truth.get(q.key) == cands.index[b].key
            for q, b in zip(cands.queries, best.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return TopPredictions(best, prob, correct, cands.true_pairs)


def train(
    train_set: Candidates,
    dev_set: Candidates,
    *,
    version: str,
    one_to_one: bool,
    seed: int = SEED,
) -> MatchModel:
    """Fit on the training pairs, choose thresholds on the development split."""
    used = present_features(train_set.features)
    columns = [FEATURES.index(name) for name in used]
    classifier = fit_classifier(train_set.features[:, columns], train_set.labels, seed=seed)
    model = MatchModel(classifier, Thresholds(0.9, 0.1, 0.5), version, used=used)
    dev = predict(model, dev_set, one_to_one=one_to_one)
    model.thresholds = choose_thresholds(dev.curve())
    model.info = {
        "train": {"set": train_set.data.name, "pairs": len(train_set.labels),
                  "positives": int(train_set.labels.sum())},
        "dev": {"set": dev_set.data.name, "queries": len(dev_set.queries)},
        "seed": seed,
        "one_to_one": one_to_one,
    }  # fmt: skip
    return model


@dataclass(frozen=True)
class PairMetrics:
    precision: float
    recall: float
    f1: float
    predicted: int


def pair_metrics(top: TopPredictions, threshold: float) -> PairMetrics:
    """Pairwise precision/recall/F1 of top candidates at or above `threshold`."""
    chosen = (top.best >= 0) & (top.probability >= threshold)
    tp = int((chosen & top.correct).sum())
    predicted = int(chosen.sum())
    precision = tp / predicted if predicted else 1.0
    recall = tp / max(top.positives, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairMetrics(precision, recall, f1, predicted)
