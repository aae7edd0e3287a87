"""Similarity features of candidate pairs, computed column by column with rapidfuzz's
`process.cpdist` (C, multi-threaded). A missing side gives NaN: absence is not disagreement.

A free-mail domain shared by two records is never evidence: only company domains compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from stripe_p21.intelligence.matching.records import PreparedRecord

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Scorer = Callable[..., float]

FEATURES: tuple[str, ...] = (
    "name_token_sort",
    "name_token_set",
    "name_jaro_winkler",
    "name_full_ratio",
    "name_first_token",
    "name_last_token",
    "email_equal",
    "email_local",
    "company_domain_equal",
    "phone_equal",
    "phone_digits",
    "street",
    "house_equal",
    "line2",
    "city",
    "state_equal",
    "postal",
    "birth_date",
)
"""Column order of the feature matrix; the model artifact records it."""


def _scores(left: list[str], right: list[str], scorer: Scorer, scale: float) -> FloatArray:
    if not left:
        return np.zeros(0, dtype=np.float64)
    out = process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float32)
    return np.asarray(out, dtype=np.float64) / scale


def _field(
    a: Sequence[str | None], b: Sequence[str | None], scorer: Scorer | None, scale: float = 100.0
) -> FloatArray:
    """Similarity per pair of aligned values; equality (1/0) when `scorer` is None."""
    result = np.full(len(a), np.nan)
    both = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x and y]
    if not both:
        return result
    left = [a[i] or "" for i in both]
    right = [b[i] or "" for i in both]
    if scorer is None:
        values = np.fromiter((x == y for x, y in zip(left, right, strict=True)), dtype=np.float64)
    else:
        values = _scores(left, right, scorer, scale)
    result[np.asarray(both)] = values
    return result


def _name_columns(
    queries: Sequence[PreparedRecord], index: Sequence[PreparedRecord], qi: IntArray, ci: IntArray
) -> dict[str, FloatArray]:
    """Name scores over every pair of name forms (DBA), keeping the best per pair."""
    pair: list[int] = []
    cores_a: list[str] = []
    cores_b: list[str] = []
    fulls_a: list[str] = []
    fulls_b: list[str] = []
    for n, (q, c) in enumerate(zip(qi.tolist(), ci.tolist(), strict=True)):
        for fa in queries[q].names:
            for fb in index[c].names:
                pair.append(n)
                cores_a.append(fa.core)
                cores_b.append(fb.core)
                fulls_a.append(fa.full)
                fulls_b.append(fb.full)
    first_a = [s.split(" ", 1)[0] for s in cores_a]
    first_b = [s.split(" ", 1)[0] for s in cores_b]
    last_a = [s.rsplit(" ", 1)[-1] for s in cores_a]
    last_b = [s.rsplit(" ", 1)[-1] for s in cores_b]
    raw = {
        "name_token_sort": _scores(cores_a, cores_b, fuzz.token_sort_ratio, 100.0),
        "name_token_set": _scores(cores_a, cores_b, fuzz.token_set_ratio, 100.0),
        "name_jaro_winkler": _scores(cores_a, cores_b, JaroWinkler.normalized_similarity, 1.0),
        "name_full_ratio": _scores(fulls_a, fulls_b, fuzz.ratio, 100.0),
        "name_first_token": _scores(first_a, first_b, JaroWinkler.normalized_similarity, 1.0),
        "name_last_token": _scores(last_a, last_b, JaroWinkler.normalized_similarity, 1.0),
    }
    owner = np.asarray(pair, dtype=np.int64)
    columns: dict[str, FloatArray] = {}
    for name, values in raw.items():
        best = np.full(len(qi), np.nan)
        if owner.size:
            filled = np.full(len(qi), -1.0)
            np.maximum.at(filled, owner, values)
            best = np.where(filled >= 0, filled, np.nan)
        columns[name] = best
    return columns


def _digits(phone: str | None) -> str | None:
    return phone[-10:] if phone else None


def pair_features(
    queries: Sequence[PreparedRecord], index: Sequence[PreparedRecord], qi: IntArray, ci: IntArray
) -> FloatArray:
    """The feature matrix (pairs x FEATURES) for pairs (queries[qi[k]], index[ci[k]])."""
    q = [queries[i] for i in qi.tolist()]
    c = [index[i] for i in ci.tolist()]

    def col(attr: str, scorer: Scorer | None, scale: float = 100.0) -> FloatArray:
        return _field([getattr(r, attr) for r in q], [getattr(r, attr) for r in c], scorer, scale)

    jw = JaroWinkler.normalized_similarity
    columns = _name_columns(queries, index, qi, ci)
    columns.update(
        email_equal=col("email", None),
        email_local=col("email_local", fuzz.ratio),
        company_domain_equal=col("company_domain", None),
        phone_equal=col("phone", None),
        phone_digits=_field(
            [_digits(r.phone) for r in q], [_digits(r.phone) for r in c], fuzz.ratio
        ),
        street=col("street", fuzz.token_sort_ratio),
        house_equal=col("house", None),
        line2=col("line2", fuzz.token_sort_ratio),
        city=col("city", jw, 1.0),
        state_equal=col("state", None),
        postal=col("postal", fuzz.ratio),
        birth_date=col("birth_date", fuzz.ratio),
    )
    return np.column_stack([columns[name] for name in FEATURES]) if len(qi) else _empty()


def _empty() -> FloatArray:
    return np.zeros((0, len(FEATURES)), dtype=np.float64)


def evidence(row: FloatArray) -> dict[str, float | None]:
    """Per-field evidence of one pair, rounded, None where a side was missing."""
    out: dict[str, Any] = {}
    for name, value in zip(FEATURES, row.tolist(), strict=True):
        out[name] = None if np.isnan(value) else round(float(value), 4)
    return out
