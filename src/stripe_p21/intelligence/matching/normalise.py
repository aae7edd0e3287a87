"""Canonical forms of what people type about a customer: business names, e-mails, phones and
addresses, so that comparison measures the company rather than its spelling."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "llc",
        "lc",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "lp",
        "llp",
        "lllp",
        "plc",
        "pllc",
        "pc",
        "pa",
        "sa",
        "ag",
        "bv",
        "nv",
        "pty",
        "srl",
        "sarl",
        "kg",
        "oy",
        "ab",
        "as",
        "spa",
    ]
)
"""Legal-form words dropped from the end of a business name (after punctuation is removed)."""

LEGAL_FORMS: dict[str, str] = {
    "company": "co",
    "incorporated": "inc",
    "corporation": "corp",
    "limited": "ltd",
}
"""Spelled-out legal forms → their abbreviation: "Co." and "Company" are the same legal form, so
the suffix-keeping `NameForm.full` writes both as `co` (other forms, e.g. LLC vs Inc., differ)."""

ABBREVIATIONS: dict[str, str] = {
    "ind": "industrial", "indl": "industrial", "indus": "industrial", "inds": "industries",
    "sply": "supply", "spply": "supply", "sup": "supply", "supp": "supply", "suppl": "supply",
    "mfg": "manufacturing", "mfr": "manufacturer", "mfrs": "manufacturers",
    "svc": "service", "svcs": "services", "serv": "service", "intl": "international",
    "dist": "distribution", "distr": "distribution", "distrib": "distribution",
    "elec": "electrical", "hyd": "hydraulics", "hydr": "hydraulics", "mech": "mechanical",
    "contr": "contractors", "cont": "contractors", "fab": "fabrication", "pkg": "packaging",
    "prod": "products", "prods": "products", "bros": "brothers", "assoc": "associates",
    "natl": "national", "equip": "equipment", "eqpt": "equipment", "tech": "technology",
    "whse": "warehouse", "ctr": "center", "cntr": "center", "mtl": "metal", "mach": "machine",
    "engr": "engineering", "eng": "engineering", "amer": "american", "mt": "mount",
    "st": "saint", "ft": "fort", "sys": "systems", "hdwe": "hardware", "hdw": "hardware",
}  # fmt: skip
"""Business-name abbreviations → the full word (applied per token, periods already removed)."""

NAME_STOPWORDS = frozenset({"and", "the", "of"})
"""Words that carry no identity once `&`/`and` are treated alike."""

DBA_PATTERN = re.compile(
    r"\b(?:d\s*/?\s*b\s*/?\s*a|doing business as|trading as|t\s*/\s*a|a\s*/?\s*k\s*/?\s*a)\b\.?",
    re.IGNORECASE,
)

FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "comcast.net",
        "att.net",
        "sbcglobal.net",
        "verizon.net",
        "bellsouth.net",
        "cox.net",
        "charter.net",
        "earthlink.net",
        "optonline.net",
        "frontier.com",
        "juno.com",
        "hotmail.co.uk",
        "yahoo.co.uk",
        "btinternet.com",
        "web.de",
        "t-online.de",
    ]
)
"""Domains anyone can sign up on: an address there says nothing about the company."""

STREET_WORDS: dict[str, str] = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "parkway": "pkwy", "pky": "pkwy", "lane": "ln", "court": "ct", "place": "pl",
    "highway": "hwy", "suite": "ste", "building": "bldg", "north": "n", "south": "s",
    "east": "e", "west": "w", "circle": "cir", "terrace": "ter", "crescent": "cres",
    "square": "sq", "way": "way", "floor": "fl", "apartment": "apt", "unit": "unit",
}  # fmt: skip
"""Street-type and direction words → USPS-style abbreviations."""

COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "united states": "US", "united states of america": "US",
    "canada": "CA", "can": "CA", "mexico": "MX", "mex": "MX", "uk": "GB", "united kingdom": "GB",
}  # fmt: skip

_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_INITIAL_DOT = re.compile(r"(?<=\b\w)\.(?=\w\b)")
_CACHE = 1 << 14
"""Entries per cache of the small-vocabulary fields (cities, states, postcodes, countries)."""


def fold(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed."""
    if not text.isascii():  # ASCII has no decompositions and no combining marks
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name of a company: `full` keeps the legal suffix (in its canonical form, `LEGAL_FORMS`),
    `core` and `tokens` do not."""

    full: str
    core: str
    tokens: tuple[str, ...]


def _name_tokens(text: str) -> list[str]:
    text = fold(text).replace("&", " and ").replace("+", " and ")
    if "." in text:
        text = _INITIAL_DOT.sub("", text)  # l.l.c. → llc, u.s. → us
    text = text.replace("'", "").replace("\u2019", "")
    return _PUNCT.sub(" ", text).replace("_", " ").split()


def name_form(text: str) -> NameForm | None:
    """The canonical form of one business name, or None when nothing identifying is left."""
    tokens = [ABBREVIATIONS.get(t, t) for t in _name_tokens(text)]
    end = len(tokens)
    while end > 1 and tokens[end - 1] in LEGAL_SUFFIXES:
        end -= 1
    full = " ".join([*tokens[:end], *(LEGAL_FORMS.get(t, t) for t in tokens[end:])])
    tokens = tokens[:end]
    core_tokens = tuple(t for t in tokens if t not in NAME_STOPWORDS) or tuple(tokens)
    if not core_tokens:
        return None
    return NameForm(full=full, core=" ".join(core_tokens), tokens=core_tokens)


def name_forms(text: str | None) -> tuple[NameForm, ...]:
    """Every name a record goes by: "X dba Y" gives X and Y, in that order."""
    if not text or not text.strip():
        return ()
    forms = [name_form(part) for part in DBA_PATTERN.split(text)]
    return tuple(dict.fromkeys(form for form in forms if form is not None))


def has_trade_name(text: str | None) -> bool:
    """True when the name carries a "doing business as" trade name."""
    return bool(text) and DBA_PATTERN.search(text or "") is not None


@dataclass(frozen=True, slots=True)
class EmailParts:
    address: str
    local: str
    domain: str
    company_domain: str | None
    """The domain when it belongs to a company; None for free-mail providers."""


def email_parts(text: str | None) -> EmailParts | None:
    """Lower-cased address split in parts; `+tags` dropped, Gmail dots ignored."""
    if not text:
        return None
    address = text.strip().lower().strip("<>").removeprefix("mailto:")
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain:
        return None
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    company = None if domain in FREE_MAIL_DOMAINS else domain
    return EmailParts(f"{local}@{domain}", local, domain, company)


_EXTENSION = re.compile(r"(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


def phone_e164(text: str | None, default_country: str = "US") -> str | None:
    """E.164 (`+12165550123`) where the number allows it; NANP is the default country."""
    if not text:
        return None
    raw = _EXTENSION.sub("", text.strip())
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.startswith("+"):
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if raw.startswith("00") and 10 <= len(digits) - 2 <= 15:
        return f"+{digits[2:]}"
    if default_country in ("US", "CA"):
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10 and digits[0] not in "01":
            return f"+1{digits}"
    return None


def street(text: str | None) -> str | None:
    """Street line with USPS abbreviations and no punctuation."""
    if not text:
        return None
    words = _PUNCT.sub(" ", fold(text).replace("#", " ")).split()
    normalised = " ".join(STREET_WORDS.get(w, w) for w in words)
    return normalised or None


def house_number(street_line: str | None) -> str | None:
    """The leading house number of a normalised street line."""
    if not street_line:
        return None
    first = street_line.split(" ", 1)[0]
    return first if first[:1].isdigit() else None


@lru_cache(maxsize=_CACHE)
def postal_code(text: str | None, country: str | None = "US") -> str | None:
    """ZIP5 for the US; elsewhere upper case without spaces."""
    if not text:
        return None
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if country in (None, "US") and compact[:5].isdigit():
        return compact[:5]
    return compact or None


@lru_cache(maxsize=_CACHE)
def country_code(text: str | None) -> str | None:
    """ISO-3166 alpha-2 from a code or a common spelling."""
    if not text:
        return None
    folded = fold(text).replace(".", "")
    return COUNTRY_ALIASES.get(folded, folded.upper()[:2] or None)


@lru_cache(maxsize=_CACHE)
def plain(text: str | None) -> str | None:
    """Folded text without punctuation (cities, states, free text)."""
    if not text:
        return None
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip() or None
