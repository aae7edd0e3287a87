"""Fingerprints group identical problems: the message is parameterised (ids, amounts, dates,
numbers → placeholders), then hashed with a versioned strategy.

`fp2`: Stripe ids (`ch_…`, `cus_…`), e-mail addresses, UUIDs, ISO dates and times, money and
other numbers become `<id>`, `<email>`, `<uuid>`, `<date>`, `<n>`; whitespace collapses; case
folds. Change the rules → bump the strategy, so old and new fingerprints never mix.

fp1 → fp2: an id's body must hold a digit or a capital (Stripe ids always do), so snake_case
words such as `refund_strategy` or `order_number` stay words; digits glued to letters
(`p21_order_no`, `ELEC0058`) stay as they are, while `ACME_100123` becomes `acme_<n>`."""

from __future__ import annotations

import hashlib
import re

STRATEGY = "fp2"

_UUID = r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
_DATE = r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<email>"),
    (re.compile(_UUID, re.IGNORECASE), "<uuid>"),
    (re.compile(r"\b[a-z]{2,6}_(?:test_|live_)?(?=[a-z]*[0-9A-Z])[A-Za-z0-9]{6,}\b"), "<id>"),
    (re.compile(_DATE), "<date>"),
    (re.compile(r"(?<![A-Za-z0-9])[-+]?\d[\d,]*(?:\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)


def parameterise(message: str) -> str:
    """`'Order 1042 for ch_3Qx… is $12.50'` → `'order <n> for <id> is $<n>'`."""
    text = message
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text.strip().casefold()


def fingerprint(queue: str, reason: str, message: str | None) -> str:
    """`fp2:<16 hex>` over queue, reason and the parameterised message."""
    basis = f"{queue}\x1f{reason}\x1f{parameterise(message or '')}"
    return f"{STRATEGY}:{hashlib.sha256(basis.encode()).hexdigest()[:16]}"
