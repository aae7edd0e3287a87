"""Similarity features of candidate pairs, computed column by column with rapidfuzz's
`process.cpdist` (C, multi-threaded). A missing side gives NaN: absence is not disagreement.

A free-mail domain shared by two records is never evidence: only company domains compare.

Records are turned into columns once (`RecordColumns`: every field value as an integer id into a
vocabulary shared by both sides, -1 when missing), so a batch of pairs is gathered with numpy
fancy indexing, equality features are integer comparisons, and each distinct pair of values is
scored once (`cpdist` on the unique value pairs, scattered back to the pairs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

FIELDS: tuple[str, ...] = (
    "email",
    "email_local",
    "company_domain",
    "phone",
    "phone_digits",
    "street",
    "house",
    "line2",
    "city",
    "state",
    "postal",
    "birth_date",
)
"""Per-record values compared pairwise (`phone_digits` is derived: the phone's last 10 digits)."""

NAME_FIELDS: tuple[str, ...] = ("core", "full", "first", "last")
"""Per-name-form values (a record has one name form per DBA part)."""


class Vocabulary:
    """Distinct strings of one field of the index side → dense ids (insertion order)."""

    __slots__ = ("ids", "strings")

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []

    def add(self, values: Sequence[str | None]) -> IntArray:
        ids = self.ids
        out = [ids.setdefault(value, len(ids)) if value else -1 for value in values]
        self.strings = list(ids)
        return np.asarray(out, dtype=np.int64)


class Extension:
    """Query-side ids: the index vocabulary's ids for known strings, fresh ids above it for the
    rest (kept here, so the index vocabulary never grows)."""

    __slots__ = ("base", "ids", "strings")

    def __init__(self, base: Vocabulary) -> None:
        self.base = base
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []

    def add(self, values: Sequence[str | None]) -> IntArray:
        known, extra = self.base.ids, self.ids
        offset = len(self.base.strings)
        out: list[int] = []
        for value in values:
            if not value:
                out.append(-1)
                continue
            found = known.get(value)
            if found is None:
                found = extra.setdefault(value, offset + len(extra))
            out.append(found)
        self.strings = list(extra)
        return np.asarray(out, dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self.base.strings) + len(self.strings)

    def lookup(self, ids: IntArray) -> list[str]:
        base, extra, offset = self.base.strings, self.strings, len(self.base.strings)
        return [base[i] if i < offset else extra[i - offset] for i in ids.tolist()]


@dataclass(frozen=True)
class RecordColumns:
    """Prepared records as integer-id columns (-1 = missing), and their name forms flattened:
    record r owns forms `form_start[r] : form_start[r] + form_count[r]`."""

    size: int
    fields: dict[str, IntArray]
    form_start: IntArray
    form_count: IntArray
    forms: dict[str, IntArray]
    vocab: dict[str, Vocabulary]
    """Shared by fields compared with each other (`first`/`last` share the token vocabulary)."""


def _vocab_key(field: str) -> str:
    return "token" if field in ("first", "last") else field


def _raw_columns(
    records: Sequence[PreparedRecord],
) -> tuple[dict[str, list[str | None]], list[int], dict[str, list[str | None]]]:
    values: dict[str, list[str | None]] = {name: [] for name in FIELDS}
    forms: dict[str, list[str | None]] = {name: [] for name in NAME_FIELDS}
    counts: list[int] = []
    email, local, domain = values["email"], values["email_local"], values["company_domain"]
    phone, digits, street = values["phone"], values["phone_digits"], values["street"]
    house, line2, city = values["house"], values["line2"], values["city"]
    state, postal, birth = values["state"], values["postal"], values["birth_date"]
    core, full, first, last = forms["core"], forms["full"], forms["first"], forms["last"]
    for r in records:
        email.append(r.email)
        local.append(r.email_local)
        domain.append(r.company_domain)
        phone.append(r.phone)
        digits.append(r.phone[-10:] if r.phone else None)
        street.append(r.street)
        house.append(r.house)
        line2.append(r.line2)
        city.append(r.city)
        state.append(r.state)
        postal.append(r.postal)
        birth.append(r.birth_date)
        counts.append(len(r.names))
        for form in r.names:
            core.append(form.core)
            full.append(form.full)
            first.append(form.core.split(" ", 1)[0])
            last.append(form.core.rsplit(" ", 1)[-1])
    return values, counts, forms


def _starts(counts: list[int]) -> tuple[IntArray, IntArray]:
    count = np.asarray(counts, dtype=np.int64)
    return np.cumsum(count) - count, count


def index_columns(records: Sequence[PreparedRecord]) -> RecordColumns:
    """Columns of the index side (P21 customers), owning the vocabularies."""
    values, counts, forms = _raw_columns(records)
    vocab: dict[str, Vocabulary] = {}
    for name in (*FIELDS, *NAME_FIELDS):
        vocab.setdefault(_vocab_key(name), Vocabulary())
    start, count = _starts(counts)
    return RecordColumns(
        size=len(records),
        fields={name: vocab[name].add(column) for name, column in values.items()},
        form_start=start,
        form_count=count,
        forms={name: vocab[_vocab_key(name)].add(column) for name, column in forms.items()},
        vocab=vocab,
    )


@dataclass(frozen=True)
class QueryColumns:
    """Columns of a query batch with ids in the index's vocabularies (`extensions`)."""

    columns: RecordColumns
    extensions: dict[str, Extension]


def query_columns(records: Sequence[PreparedRecord], index: RecordColumns) -> QueryColumns:
    """Columns of a query batch (Stripe customers) against `index`'s vocabularies."""
    values, counts, forms = _raw_columns(records)
    ext = {key: Extension(vocabulary) for key, vocabulary in index.vocab.items()}
    start, count = _starts(counts)
    columns = RecordColumns(
        size=len(records),
        fields={name: ext[name].add(column) for name, column in values.items()},
        form_start=start,
        form_count=count,
        forms={name: ext[_vocab_key(name)].add(column) for name, column in forms.items()},
        vocab={},
    )
    return QueryColumns(columns, ext)


def _scores(left: list[str], right: list[str], scorer: Scorer, scale: float) -> FloatArray:
    if not left:
        return np.zeros(0, dtype=np.float64)
    out = process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float32)
    return np.asarray(out, dtype=np.float64) / scale


def _compare(
    a: IntArray, b: IntArray, ext: Extension, scorer: Scorer | None, scale: float = 100.0
) -> FloatArray:
    """Similarity per pair of aligned value ids (-1 = missing → NaN); equality (1/0) when
    `scorer` is None. Each distinct pair of values is scored once."""
    result = np.full(len(a), np.nan)
    both = (a >= 0) & (b >= 0)
    if not both.any():
        return result
    left, right = a[both], b[both]
    if scorer is None:
        result[both] = (left == right).astype(np.float64)
        return result
    pair_keys, inverse = np.unique(left * ext.size + right, return_inverse=True)
    first = ext.lookup(pair_keys // ext.size)
    second = ext.lookup(pair_keys % ext.size)
    result[both] = _scores(first, second, scorer, scale)[inverse.reshape(-1)]
    return result


def _as_columns(
    queries: Sequence[PreparedRecord] | QueryColumns,
    index: Sequence[PreparedRecord] | RecordColumns,
) -> tuple[QueryColumns, RecordColumns]:
    c = index if isinstance(index, RecordColumns) else index_columns(index)
    q = queries if isinstance(queries, QueryColumns) else query_columns(queries, c)
    return q, c


def _name_columns(
    q: QueryColumns, c: RecordColumns, qi: IntArray, ci: IntArray
) -> dict[str, FloatArray]:
    """Name scores over every pair of name forms (DBA), keeping the best per pair."""
    qc = q.columns
    nq, nc = qc.form_count[qi], c.form_count[ci]
    counts = nq * nc
    total = int(counts.sum())
    owner_start = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(len(qi), dtype=np.int64), counts)
    k = np.arange(total, dtype=np.int64) - owner_start[owner]
    width = nc[owner]
    form_a = qc.form_start[qi][owner] + k // np.maximum(width, 1)
    form_b = c.form_start[ci][owner] + k % np.maximum(width, 1)
    specs: tuple[tuple[str, str, Scorer, float], ...] = (
        ("name_token_sort", "core", fuzz.token_sort_ratio, 100.0),
        ("name_token_set", "core", fuzz.token_set_ratio, 100.0),
        ("name_jaro_winkler", "core", JaroWinkler.normalized_similarity, 1.0),
        ("name_full_ratio", "full", fuzz.ratio, 100.0),
        ("name_first_token", "first", JaroWinkler.normalized_similarity, 1.0),
        ("name_last_token", "last", JaroWinkler.normalized_similarity, 1.0),
    )
    has = counts > 0
    columns: dict[str, FloatArray] = {}
    for name, field, scorer, scale in specs:
        values = _compare(
            qc.forms[field][form_a], c.forms[field][form_b], q.extensions[_vocab_key(field)],
            scorer, scale,
        )  # fmt: skip
        best = np.full(len(qi), np.nan)
        if total:
            best[has] = np.maximum.reduceat(values, owner_start[has])
        columns[name] = best
    return columns


_FIELD_FEATURES: tuple[tuple[str, str, Scorer | None, float], ...] = (
    ("email_equal", "email", None, 100.0),
    ("email_local", "email_local", fuzz.ratio, 100.0),
    ("company_domain_equal", "company_domain", None, 100.0),
    ("phone_equal", "phone", None, 100.0),
    ("phone_digits", "phone_digits", fuzz.ratio, 100.0),
    ("street", "street", fuzz.token_sort_ratio, 100.0),
    ("house_equal", "house", None, 100.0),
    ("line2", "line2", fuzz.token_sort_ratio, 100.0),
    ("city", "city", JaroWinkler.normalized_similarity, 1.0),
    ("state_equal", "state", None, 100.0),
    ("postal", "postal", fuzz.ratio, 100.0),
    ("birth_date", "birth_date", fuzz.ratio, 100.0),
)


def pair_features(
    queries: Sequence[PreparedRecord] | QueryColumns,
    index: Sequence[PreparedRecord] | RecordColumns,
    qi: IntArray,
    ci: IntArray,
) -> FloatArray:
    """The feature matrix (pairs x FEATURES) for pairs (queries[qi[k]], index[ci[k]]).

    Either side may be given as records or, to skip the conversion, as columns
    (`index_columns` once per index, `query_columns` per batch)."""
    if not len(qi):
        return _empty()
    q, c = _as_columns(queries, index)
    qi, ci = np.asarray(qi, dtype=np.int64), np.asarray(ci, dtype=np.int64)
    columns = _name_columns(q, c, qi, ci)
    for name, field, scorer, scale in _FIELD_FEATURES:
        a, b = q.columns.fields[field][qi], c.fields[field][ci]
        columns[name] = _compare(a, b, q.extensions[field], scorer, scale)
    return np.column_stack([columns[name] for name in FEATURES])


def _empty() -> FloatArray:
    return np.zeros((0, len(FEATURES)), dtype=np.float64)


def evidence(row: FloatArray) -> dict[str, float | None]:
    """Per-field evidence of one pair, rounded, None where a side was missing."""
    out: dict[str, Any] = {}
    for name, value in zip(FEATURES, row.tolist(), strict=True):
        out[name] = None if np.isnan(value) else round(float(value), 4)
    return out
