"""The matching engine, free of I/O: block, featurise, score with the calibrated model, rank
candidates per query and, where each side may be linked once, assign one-to-one."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from stripe_p21.intelligence.matching.blocking import BlockingIndex
from stripe_p21.intelligence.matching.features import (
    evidence,
    index_columns,
    pair_features,
    query_columns,
)
from stripe_p21.intelligence.matching.model import MatchModel
from stripe_p21.intelligence.matching.records import CustomerRecord, PreparedRecord, prepare

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Decision = Literal["link", "review", "new"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One P21 customer proposed for a Stripe customer, with the evidence per field."""

    key: str
    name: str | None
    probability: float
    evidence: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class ScoredPairs:
    """Every candidate pair of a batch with its features and calibrated probability."""

    query: IntArray
    index: IntArray
    features: FloatArray
    probability: FloatArray


def greedy_assignment(pairs: ScoredPairs, queries: int) -> tuple[IntArray, FloatArray]:
    """One-to-one: highest probability first, each index record used once. -1 = none."""
    best = np.full(queries, -1, dtype=np.int64)
    prob = np.zeros(queries, dtype=np.float64)
    used: set[int] = set()
    order = np.lexsort((pairs.index, pairs.query, -pairs.probability))
    for k in order.tolist():
        q, c = int(pairs.query[k]), int(pairs.index[k])
        if best[q] >= 0 or c in used:
            continue
        best[q], prob[q] = c, pairs.probability[k]
        used.add(c)
    return best, prob


def best_per_query(pairs: ScoredPairs, queries: int) -> tuple[IntArray, FloatArray]:
    """Each query's top candidate (an index record may be the top of several queries)."""
    best = np.full(queries, -1, dtype=np.int64)
    prob = np.zeros(queries, dtype=np.float64)
    order = np.lexsort((pairs.index, -pairs.probability, pairs.query))
    if order.size:
        q_sorted = pairs.query[order]
        first = order[np.r_[True, q_sorted[1:] != q_sorted[:-1]]]
        best[pairs.query[first]] = pairs.index[first]
        prob[pairs.query[first]] = pairs.probability[first]
    return best, prob


class Matcher:
    """A P21 customer base prepared for matching, and the model that scores pairs."""

    def __init__(self, model: MatchModel, records: Sequence[CustomerRecord]) -> None:
        started = time.perf_counter()
        self.model = model
        self.records = list(records)
        self.prepared = [prepare(r) for r in self.records]
        prepared = time.perf_counter()
        self.blocking = BlockingIndex.build(self.prepared)
        blocked = time.perf_counter()
        self.columns = index_columns(self.prepared)
        self.build_seconds = {
            "normalise": prepared - started,
            "blocking_keys": blocked - prepared,
            "feature_columns": time.perf_counter() - blocked,
        }
        """Where building the index went (seconds)."""
        self._keys = {r.key for r in self.records}

    def has(self, key: str) -> bool:
        """Whether the index holds the record `key`."""
        return key in self._keys

    def score(
        self, queries: Sequence[PreparedRecord], timings: dict[str, float] | None = None
    ) -> ScoredPairs:
        """Every candidate pair of `queries` with features and probability. `timings`, when
        given, receives the seconds spent on candidates, features and scoring."""
        started = time.perf_counter()
        qi, ci = self.blocking.candidate_pairs(queries)
        blocked = time.perf_counter()
        batch = query_columns(queries, self.columns)
        features = pair_features(batch, self.columns, qi, ci)
        featured = time.perf_counter()
        probability = self.model.probability(features)
        if timings is not None:
            timings["candidates"] = blocked - started
            timings["features"] = featured - blocked
            timings["scoring"] = time.perf_counter() - featured
        return ScoredPairs(qi, ci, features, probability)

    def rank(self, query: CustomerRecord, limit: int = 5) -> list[Candidate]:
        """Candidates for one query, most probable first."""
        pairs = self.score([prepare(query)])
        order = np.lexsort((pairs.index, -pairs.probability))[:limit]
        return [
            Candidate(
                key=self.records[int(pairs.index[k])].key,
                name=self.records[int(pairs.index[k])].name,
                probability=round(float(pairs.probability[k]), 6),
                evidence=evidence(pairs.features[k]),
            )
            for k in order.tolist()
        ]

    def decide(self, candidates: Sequence[Candidate], *, trade_name: bool) -> Decision:
        """Policy: auto-link above the link threshold unless a second candidate is as likely or
        the name carries a trade name (a person confirms DBAs); review between; new below."""
        thresholds = self.model.thresholds
        if not candidates or candidates[0].probability < thresholds.review:
            return "new"
        runner_up = candidates[1].probability if len(candidates) > 1 else 0.0
        if candidates[0].probability >= thresholds.link and runner_up < thresholds.review:
            return "review" if trade_name else "link"
        return "review"
