"""Name variants a matcher meets in real life: typos, legal-suffix and abbreviation changes,
"doing business as" names, and new companies — derived from the P21 seed's customer names."""

from __future__ import annotations

import random

from stripe_p21.sandbox.p21 import seed_words as words

SUFFIX_SWAPS: dict[str, str] = {
    "Inc.": "Incorporated",
    "Incorporated": "Inc",
    "LLC": "L.L.C.",
    "Co.": "Company",
    "Company": "Co",
    "Corp.": "Corporation",
    "Ltd.": "Limited",
    "L.P.": "LP",
}
"""How each legal suffix of the seed is written differently."""

ABBREVIATIONS: dict[str, str] = {
    "Industrial": "Ind.",
    "Supply": "Sply",
    "Electrical": "Elec.",
    "Hydraulics": "Hyd.",
    "Mechanical": "Mech.",
    "Contractors": "Contr.",
    "Fabrication": "Fab.",
    "Packaging": "Pkg.",
    "Products": "Prod.",
    "&": "and",
}
"""Abbreviations people type instead of the full word."""


def split_suffix(name: str) -> tuple[str, str]:
    """The name without its legal suffix, and the suffix ("" when there is none)."""
    for suffix in sorted(words.LEGAL_SUFFIXES, key=len, reverse=True):
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1], suffix
    return name, ""


def with_typo(name: str, rng: random.Random) -> str:
    """One swapped or dropped letter inside a word of five letters or more."""
    base, suffix = split_suffix(name)
    tokens = base.split()
    candidates = [i for i, token in enumerate(tokens) if len(token) >= 5 and token.isalpha()]
    index = rng.choice(candidates) if candidates else 0
    word = tokens[index]
    pos = rng.randrange(1, max(2, len(word) - 2))
    swapped = word[:pos] + word[pos + 1 : pos + 2] + word[pos] + word[pos + 2 :]
    dropped = word[:pos] + word[pos + 1 :]
    word = swapped if rng.random() < 0.5 and swapped != word else dropped
    tokens[index] = word
    return " ".join([*tokens, suffix]).strip()


def with_other_suffix(name: str) -> str:
    """The same company written with another form of its legal suffix (or none)."""
    base, suffix = split_suffix(name)
    return f"{base} {SUFFIX_SWAPS[suffix]}" if suffix in SUFFIX_SWAPS else base


def abbreviated(name: str) -> str:
    """Common words abbreviated; when none applies, the name in capitals without punctuation."""
    tokens = [ABBREVIATIONS.get(token, token) for token in name.split()]
    changed = " ".join(tokens)
    if changed != name:
        return changed
    return "".join(ch for ch in name.upper() if ch.isalnum() or ch == " ")


def doing_business_as(name: str, rng: random.Random) -> str:
    """The legal name followed by a trade name, as Stripe customers are often named."""
    base, _ = split_suffix(name)
    return f"{base} dba {rng.choice(words.PLACES)} {rng.choice(words.TRADES)}"


def new_company(rng: random.Random, taken: set[str]) -> str:
    """A company name that is not in P21 (nor already used in the scenario)."""
    while True:
        first = rng.choice(("Apex", "Vantage", "Ironwood", "Bluewater", "Crestline", "Northgate"))
        name = f"{first} {rng.choice(words.TRADES)} {rng.choice(words.LEGAL_SUFFIXES)}"
        if name not in taken:
            taken.add(name)
            return name


def company_domain(name: str) -> str:
    """A company e-mail domain made from the first two words of its name."""
    base, _ = split_suffix(name)
    slug = "".join(ch for ch in "".join(base.split()[:2]).lower() if ch.isalnum())
    return f"{slug}.com"
