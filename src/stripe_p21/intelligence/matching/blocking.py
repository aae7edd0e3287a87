"""Blocking: which P21 customers are worth comparing with a Stripe customer at all.

Each record emits keys (exact e-mail, company domain, phone, name token keys with a one-edit
deletion neighbourhood so a typo still meets its original, postcode + house number, birth date).
Two records are candidates when they share a key; keys shared by too many records are skipped.
The join is a sort + searchsorted over 64-bit key hashes, so it scales to 1e5 x 1e4 records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from stripe_p21.intelligence.matching.records import PreparedRecord

MAX_BLOCK = 200
"""A key shared by more index records than this identifies nothing and is skipped."""
MIN_TYPO_TOKEN = 4
"""Tokens shorter than this only block exactly (one-deletion variants would be too common)."""
MAX_TYPO_TOKENS = 5

IntArray = npt.NDArray[np.int64]


def _deletions(token: str) -> set[str]:
    if len(token) < MIN_TYPO_TOKEN:
        return {token}
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}


def name_keys(tokens: tuple[str, ...]) -> set[str]:
    """Sorted-token keys of a name, each token in turn allowed one deleted letter."""
    keys = {"n:" + " ".join(sorted(tokens))}
    if len(tokens) > MAX_TYPO_TOKENS:
        return keys
    for i, token in enumerate(tokens):
        others = tokens[:i] + tokens[i + 1 :]
        if not others and len(token) < MIN_TYPO_TOKEN + 2:
            continue
        for variant in _deletions(token):
            keys.add("n:" + " ".join(sorted((*others, variant))))
    return keys


def record_keys(record: PreparedRecord, *, names: bool = True) -> set[str]:
    """Every blocking key of one record (without the sorted-token name keys if not `names`)."""
    keys: set[str] = set()
    if names:
        for form in record.names:
            keys |= name_keys(form.tokens)
    if record.email:
        keys.add("e:" + record.email)
    if record.company_domain:
        keys.add("d:" + record.company_domain)
    if record.phone:
        keys.add("p:" + record.phone)
    if record.postal and record.house:
        keys.add(f"a:{record.postal}:{record.house}")
    if record.birth_date:
        keys.add("b:" + record.birth_date)
    if record.names:
        tokens = record.names[0].tokens
        if record.postal:
            keys.add(f"z:{record.postal}:{tokens[0][:3]}")
        if record.birth_date:  # person records: surname and birth-year keys
            keys.add(f"l:{tokens[-1]}:{tokens[0][:1]}")
            keys.add(f"y:{record.birth_date[:4]}:{tokens[0][:1]}")
    return keys


_MASK = (1 << 64) - 1
_NAME_SALT = 0x9E37_79B9_7F4A_7C15
"""Offsets the name-key hashes from the other keys' (which are `hash()` of their text)."""


@lru_cache(maxsize=1 << 16)
def _token_hashes(token: str) -> tuple[int, tuple[int, ...]]:
    """hash(token) and the hashes of its one-deletion variants (the token itself included)."""
    return hash(token), tuple(hash(variant) for variant in _deletions(token))


def _signed(value: int) -> int:
    value &= _MASK
    return value - (1 << 64) if value >> 63 else value


def name_key_hashes(tokens: tuple[str, ...]) -> set[int]:
    """`name_keys(tokens)` as 64-bit hashes, one per distinct key, computed without building the
    key texts: a key is a multiset of tokens, so it hashes to the sum of its tokens' hashes
    (order-free, like sorting). Equal keys give equal hashes; distinct keys collide with the same
    ~2**-64 odds as `hash()` of their texts."""
    hashed = [_token_hashes(token) for token in tokens]
    total = _NAME_SALT + sum(own for own, _ in hashed)
    keys = {_signed(total)}
    if len(tokens) > MAX_TYPO_TOKENS:
        return keys
    alone = len(tokens) == 1
    for token, (own, variants) in zip(tokens, hashed, strict=True):
        if alone and len(token) < MIN_TYPO_TOKEN + 2:
            continue
        rest = total - own
        keys.update(_signed(rest + variant) for variant in variants)
    return keys


def record_key_hashes(record: PreparedRecord) -> set[int]:
    """`record_keys(record)` as 64-bit hashes (name keys via `name_key_hashes`)."""
    keys: set[int] = set()
    for form in record.names:
        keys |= name_key_hashes(form.tokens)
    keys.update(hash(key) for key in record_keys(record, names=False))
    return keys


def _hashed(records: Sequence[PreparedRecord]) -> tuple[IntArray, IntArray]:
    """(key hash, record position) for every key of every record."""
    hashes: list[int] = []
    counts: list[int] = []
    for record in records:
        keys = record_key_hashes(record)
        hashes.extend(keys)
        counts.append(len(keys))
    owners = np.repeat(np.arange(len(records), dtype=np.int64), counts)
    return np.asarray(hashes, dtype=np.int64), owners


@dataclass(frozen=True)
class BlockingIndex:
    """Sorted key hashes of the index side (P21 customers) and the record owning each."""

    hashes: IntArray
    owners: IntArray
    size: int
    max_block: int = MAX_BLOCK

    @classmethod
    def build(cls, records: Sequence[PreparedRecord], max_block: int = MAX_BLOCK) -> BlockingIndex:
        hashes, owners = _hashed(records)
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], owners[order], len(records), max_block)

    def candidate_pairs(self, queries: Sequence[PreparedRecord]) -> tuple[IntArray, IntArray]:
        """Unique (query position, index position) pairs sharing at least one usable key."""
        q_hashes, q_owners = _hashed(queries)
        left = np.searchsorted(self.hashes, q_hashes, side="left")
        right = np.searchsorted(self.hashes, q_hashes, side="right")
        sizes = right - left
        usable = (sizes > 0) & (sizes <= self.max_block)
        left, sizes, q_owners = left[usable], sizes[usable], q_owners[usable]
        if sizes.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        total = int(sizes.sum())
        starts = np.repeat(left - np.cumsum(sizes) + sizes, sizes)
        positions = starts + np.arange(total, dtype=np.int64)
        query_side = np.repeat(q_owners, sizes)
        combined = np.unique(query_side * self.size + self.owners[positions])
        return combined // self.size, combined % self.size


def reduction_ratio(pairs: int, queries: int, index: int) -> float:
    """How many times fewer comparisons than the full cross product."""
    return (queries * index) / max(pairs, 1)
