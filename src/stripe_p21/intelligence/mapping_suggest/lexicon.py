"""Field names as concepts: split `PONumber`, `ord_dt`, `customernbr` into words, expand
abbreviations, fold synonyms onto one concept, so `CUST_NO` and `customer.id` meet. Versioned:
changing a list changes suggestions, so bump `LEXICON_VERSION`."""

from __future__ import annotations

import re
from functools import lru_cache

LEXICON_VERSION = "1"

# abbreviation or variant → word (applied before synonyms)
ABBREVIATIONS: dict[str, str] = {
    "no": "number", "num": "number", "nbr": "number", "nr": "number", "nmbr": "number",
    "numbr": "number", "amt": "amount", "amnt": "amount", "tot": "total", "ttl": "total",
    "dt": "date", "dte": "date", "ts": "timestamp", "cust": "customer", "cus": "customer",
    "qty": "quantity", "desc": "description", "descr": "description", "addr": "address",
    "add": "address", "acct": "account", "acc": "account", "pmt": "payment",
    "pymt": "payment", "pay": "payment", "paid": "payment", "inv": "invoice",
    "ord": "order", "ordr": "order", "txn": "transaction", "trans": "transaction",
    "trx": "transaction", "ref": "reference", "curr": "currency", "cur": "currency",
    "ccy": "currency", "crncy": "currency", "zip": "postal", "zipcode": "postal",
    "postcode": "postal", "tel": "phone", "telephone": "phone", "ph": "phone",
    "mobile": "phone", "ctry": "country", "cntry": "country", "st": "state",
    "prov": "state", "province": "state", "region": "state", "stmt": "statement",
    "rcpt": "receipt", "recv": "received", "rcvd": "received", "ext": "extended",
    "uom": "measure", "po": "purchaseorder", "cc": "card", "auth": "authorization",
    "authorized": "authorization", "authorised": "authorization", "chk": "check",
    "cheque": "check", "nm": "name", "cmpy": "company", "co": "company", "yr": "year",
    "mo": "month", "prd": "period", "amount": "amount", "created": "created",
    "e": "", "mail": "mail", "emailaddress": "email", "remit": "remittance",
    "rma": "refund", "orig": "original", "refunded": "refund", "returned": "refund",
    "reason": "reason",
}  # fmt: skip

# word → concept (synonyms share a concept)
CONCEPTS: dict[str, str] = {
    "amount": "amount", "total": "amount", "sum": "amount", "gross": "amount",
    "number": "number", "id": "number", "identifier": "number", "key": "number",
    "date": "date", "created": "date", "time": "date", "timestamp": "date", "day": "date",
    "dated": "date", "when": "date", "at": "date", "on": "date",
    "customer": "customer", "client": "customer", "buyer": "customer", "payer": "customer",
    "order": "order", "invoice": "invoice", "bill": "invoice",
    "payment": "payment", "remittance": "payment", "received": "payment",
    "description": "description", "memo": "description", "note": "description",
    "notes": "description", "comment": "description", "remarks": "description",
    "remark": "description", "narrative": "description", "email": "email",
    "phone": "phone", "address": "address", "mail": "address", "mailing": "address",
    "street": "address", "city": "city", "town": "city", "locality": "city",
    "state": "state", "postal": "postal", "country": "country", "nation": "country",
    "name": "name", "quantity": "quantity", "units": "quantity", "price": "price",
    "currency": "currency", "reason": "reason", "cause": "reason", "status": "status",
    "purchaseorder": "purchaseorder", "reference": "reference", "check": "reference",
    "authorization": "authorization", "approval": "authorization", "card": "card",
    "refund": "refund", "return": "refund", "credit": "refund", "receipt": "receipt",
    "balance": "balance", "remaining": "balance", "outstanding": "balance", "fee": "fee",
    "fees": "fee", "net": "net",
}  # fmt: skip

# concept pairs that are near, not equal (similarity in 0..1)
RELATED: dict[frozenset[str], float] = {
    frozenset(p): s
    for p, s in (
        (("number", "reference"), 0.6),
        (("amount", "price"), 0.6),
        (("payment", "receipt"), 0.6),
        (("number", "code"), 0.5),
        (("address", "line"), 0.6),
        (("invoice", "receipt"), 0.3),
    )
}

# concepts that say little alone: counted at a lower weight
GENERIC: dict[str, float] = {
    "number": 0.5, "code": 0.5, "details": 0.3, "data": 0.3, "info": 0.3, "flag": 0.4,
    "type": 0.6, "value": 0.5, "1": 0.3, "2": 0.3, "3": 0.3, "object": 0.3,
}  # fmt: skip

STOPWORDS = frozenset({
    "a", "an", "and", "the", "of", "for", "to", "in", "is", "be", "by", "it", "its", "this",
    "that", "with", "from", "or", "as", "are", "was", "if", "which", "can", "any", "one", "each",
    "all", "p21", "stripe", "your", "you", "we", "our", "object", "set", "such",
})  # fmt: skip

_EXTRA_WORDS = (
    "line",
    "code",
    "type",
    "flag",
    "period",
    "year",
    "month",
    "journal",
    "source",
    "bank",
    "item",
    "unit",
    "measure",
    "company",
    "account",
    "sales",
    "location",
    "ship",
    "taker",
    "arrival",
    "available",
    "due",
    "sub",
    "original",
    "captured",
    "refunded",
    "billing",
    "shipping",
    "details",
    "statement",
    "descriptor",
    "transaction",
    "foreign",
    "extended",
    "user",
    "rep",
    "terms",
    "limit",
    "prefix",
    "balance",
    "method",
    "risk",
    "level",
)

_VOCABULARY = frozenset(
    {w for w in (*ABBREVIATIONS, *ABBREVIATIONS.values(), *CONCEPTS, *_EXTRA_WORDS) if w}
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_words(name: str) -> list[str]:
    """`PONumber` → po number; `address.line1` → address line 1; `totalamt` → total amt."""
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        for word in _CAMEL.findall(part):
            lower = word.lower()
            words += segment(lower) if lower.isalpha() else [lower]
    return words


@lru_cache(maxsize=4096)
def segment(word: str) -> tuple[str, ...]:
    """A run-together word split into vocabulary words when that fully covers it."""
    if word in _VOCABULARY or len(word) < 5:
        return (word,)
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 14), end):
            piece, head = word[start:end], best[start]
            if head is None or piece not in _VOCABULARY or len(piece) < 2:
                continue
            if best[end] is None or len(head) + 1 < len(best[end] or ()):
                best[end] = (*head, piece)
    return best[-1] or (word,)


def concept_of(word: str) -> str:
    """The concept a single word stands for (itself when the lexicon does not know it)."""
    word = ABBREVIATIONS.get(word, word)
    return CONCEPTS.get(word, word)


def concepts(name: str) -> list[str]:
    """The concepts of a field name in order, stop words dropped, duplicates kept once."""
    seen: list[str] = []
    for word in split_words(name):
        concept = concept_of(word)
        if concept and concept not in STOPWORDS and concept not in seen:
            seen.append(concept)
    return seen


def weight(concept: str) -> float:
    return GENERIC.get(concept, 1.0)


def relatedness(a: str, b: str) -> float:
    """1 for one concept, the listed value for related ones, else 0."""
    if a == b:
        return 1.0
    return RELATED.get(frozenset((a, b)), 0.0)
