"""The vectorised paths (hashed blocking keys, columnar features, grouped tree scoring) give
exactly what the straightforward per-pair versions give."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from stripe_p21.intelligence.matching.blocking import (
    MAX_BLOCK,
    BlockingIndex,
    name_key_hashes,
    name_keys,
    record_key_hashes,
    record_keys,
)
from stripe_p21.intelligence.matching.corruptions import business_set
from stripe_p21.intelligence.matching.features import (
    FEATURES,
    index_columns,
    pair_features,
    query_columns,
)
from stripe_p21.intelligence.matching.model import MatchModel
from stripe_p21.intelligence.matching.records import CustomerRecord, PreparedRecord, prepare


@pytest.fixture(scope="module")
def linkage() -> tuple[list[PreparedRecord], list[PreparedRecord]]:
    data = business_set("dev", p21_customers=1200, stripe_customers=600)
    extra = [  # DBA names on both sides, a person record, missing fields
        CustomerRecord("q_dba", name="Baker Mechanical LLC dba Baker Heating", city="Akron"),
        CustomerRecord("q_person", name="Ann Smith", birth_date="1980-02-03", postal_code="44101"),
        CustomerRecord("q_empty", email="nobody@gmail.com"),
    ]
    index_extra = [
        CustomerRecord("c_dba", name="Baker Heating d/b/a Baker Mechanical", city="Akron"),
        CustomerRecord("c_person", name="Anne Smith", birth_date="1980-02-03", postal_code="44101"),
    ]
    queries = [prepare(r) for r in [*data.queries, *extra]]
    index = [prepare(r) for r in [*data.index, *index_extra]]
    return queries, index


def test_hashed_name_keys_match_the_key_texts() -> None:
    names = [
        ("baker", "mechanical"), ("bkaer", "mechanical"), ("bakr", "mechanical"),
        ("mechanical", "baker"), ("walsh", "controls"), ("acme",), ("acmes",), ("acm",),
        ("a", "b", "c", "d", "e", "f"), ("b", "a", "c", "d", "e", "f"), ("aa", "aa"),
        ("baker", "baker", "supply"), ("bakers", "baker", "supply"),
    ]  # fmt: skip
    for a in names:
        assert len(name_key_hashes(a)) == len(name_keys(a))
        for b in names:
            assert len(name_key_hashes(a) & name_key_hashes(b)) == len(name_keys(a) & name_keys(b))


def _reference_pairs(
    queries: Sequence[PreparedRecord], index: Sequence[PreparedRecord]
) -> set[tuple[int, int]]:
    owners: dict[str, list[int]] = defaultdict(list)
    for position, record in enumerate(index):
        for key in record_keys(record):
            owners[key].append(position)
    pairs: set[tuple[int, int]] = set()
    for q, record in enumerate(queries):
        for key in record_keys(record):
            found = owners.get(key, [])
            if len(found) <= MAX_BLOCK:
                pairs.update((q, c) for c in found)
    return pairs


def test_hashed_blocking_finds_the_same_pairs_as_the_key_texts(
    linkage: tuple[list[PreparedRecord], list[PreparedRecord]],
) -> None:
    queries, index = linkage
    for record in queries[:50]:
        assert len(record_key_hashes(record)) == len(record_keys(record))
    qi, ci = BlockingIndex.build(index).candidate_pairs(queries)
    assert set(zip(qi.tolist(), ci.tolist(), strict=True)) == _reference_pairs(queries, index)


def _similarity(a: str | None, b: str | None, scorer: object | None, scale: float) -> float:
    if not a or not b:
        return float("nan")
    if scorer is None:
        return float(a == b)
    value = np.float32(scorer(a, b))  # type: ignore[operator]  # cpdist's float32 output
    return float(np.float64(value) / scale)


def _reference_row(q: PreparedRecord, c: PreparedRecord) -> list[float]:
    jw = JaroWinkler.normalized_similarity
    names: dict[str, float] = {}
    specs = [
        ("name_token_sort", "core", fuzz.token_sort_ratio, 100.0),
        ("name_token_set", "core", fuzz.token_set_ratio, 100.0),
        ("name_jaro_winkler", "core", jw, 1.0),
        ("name_full_ratio", "full", fuzz.ratio, 100.0),
        ("name_first_token", "first", jw, 1.0),
        ("name_last_token", "last", jw, 1.0),
    ]
    parts = {
        "core": lambda f: f.core,
        "full": lambda f: f.full,
        "first": lambda f: f.core.split(" ", 1)[0],
        "last": lambda f: f.core.rsplit(" ", 1)[-1],
    }
    for name, part, scorer, scale in specs:
        scores = [
            _similarity(parts[part](fa), parts[part](fb), scorer, scale)
            for fa in q.names
            for fb in c.names
        ]
        names[name] = max(scores) if scores else float("nan")

    def digits(phone: str | None) -> str | None:
        return phone[-10:] if phone else None

    fields = {
        "email_equal": _similarity(q.email, c.email, None, 1),
        "email_local": _similarity(q.email_local, c.email_local, fuzz.ratio, 100.0),
        "company_domain_equal": _similarity(q.company_domain, c.company_domain, None, 1),
        "phone_equal": _similarity(q.phone, c.phone, None, 1),
        "phone_digits": _similarity(digits(q.phone), digits(c.phone), fuzz.ratio, 100.0),
        "street": _similarity(q.street, c.street, fuzz.token_sort_ratio, 100.0),
        "house_equal": _similarity(q.house, c.house, None, 1),
        "line2": _similarity(q.line2, c.line2, fuzz.token_sort_ratio, 100.0),
        "city": _similarity(q.city, c.city, jw, 1.0),
        "state_equal": _similarity(q.state, c.state, None, 1),
        "postal": _similarity(q.postal, c.postal, fuzz.ratio, 100.0),
        "birth_date": _similarity(q.birth_date, c.birth_date, fuzz.ratio, 100.0),
    }
    values = names | fields
    return [values[name] for name in FEATURES]


def test_columnar_features_equal_the_per_pair_computation(
    linkage: tuple[list[PreparedRecord], list[PreparedRecord]],
) -> None:
    queries, index = linkage
    qi, ci = BlockingIndex.build(index).candidate_pairs(queries)
    extra_q = np.arange(len(queries) - 3, len(queries), dtype=np.int64)  # the hand-made records
    qi = np.concatenate([qi, np.repeat(extra_q, 2)])
    ci = np.concatenate([ci, np.tile(np.arange(len(index) - 2, len(index)), 3)])
    features = pair_features(queries, index, qi, ci)
    expected = np.array(
        [
            _reference_row(queries[q], index[c])
            for q, c in zip(qi.tolist(), ci.tolist(), strict=True)
        ]
    )
    assert features.shape == (len(qi), len(FEATURES))
    assert np.array_equal(features, expected, equal_nan=True)
    columns = index_columns(index)
    batch = query_columns(queries, columns)
    assert np.array_equal(pair_features(batch, columns, qi, ci), features, equal_nan=True)
    assert pair_features(queries, index, qi[:0], ci[:0]).shape == (0, len(FEATURES))


def test_grouped_scoring_equals_predict_proba_bit_for_bit(
    linkage: tuple[list[PreparedRecord], list[PreparedRecord]],
) -> None:
    queries, index = linkage
    qi, ci = BlockingIndex.build(index).candidate_pairs(queries)
    features = pair_features(queries, index, qi, ci)
    model = MatchModel.load()
    columns = [FEATURES.index(name) for name in model.used]
    expected = model.classifier.predict_proba(features[:, columns])[:, 1]
    assert np.array_equal(model.probability(features), expected)
    duplicated = np.concatenate([features, features[::-1]])
    assert np.array_equal(model.probability(duplicated), np.concatenate([expected, expected[::-1]]))
