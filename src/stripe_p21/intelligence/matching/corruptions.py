"""Labelled business-customer pairs for training and evaluation: P21 customers from the sandbox
seed, and Stripe-side records derived from them with realistic corruptions (typos, legal-suffix
swaps, abbreviations, DBA names, casing, punctuation, other mailboxes at the company's domain,
missing or changed contact fields) plus new companies, some sharing a P21 company's name under
another legal form (and then, as real companies do, their own domain). Pure: seed in, data out."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from stripe_p21.intelligence.matching.normalise import name_form
from stripe_p21.intelligence.matching.records import CustomerRecord
from stripe_p21.sandbox.p21 import seed_words as words
from stripe_p21.sandbox.p21.seed import SeedCustomer, generate
from stripe_p21.sandbox.scenarios import names

SPLIT_SEEDS = {"train": 1101, "dev": 2202, "test": 3303}
"""Each split is its own P21 company (its own seed), so no record is shared between splits."""


@dataclass(frozen=True, slots=True)
class LinkageSet:
    """Queries (Stripe side), the index (P21 side) and the true links query key → index key."""

    name: str
    queries: list[CustomerRecord]
    index: list[CustomerRecord]
    truth: dict[str, str]


def legal_form(suffix: str) -> str:
    """The canonical legal form of a seed suffix ("Co." and "Company" → "co"; "" for none)."""
    form = name_form(f"x {suffix}") if suffix else None
    return form.full.split()[-1] if form is not None and form.full != "x" else ""


def _domain_of(email: str) -> str | None:
    domain = email.rpartition("@")[2].lower()
    return None if not domain or domain in words.FREE_MAIL else domain


def realistic_base(customers: Sequence[SeedCustomer]) -> list[SeedCustomer]:
    """The seed's customers with company domains as real legal entities have them. The seed
    makes a domain from the first two words of a name, so a second "X Co." or an "X Company"
    (a namesake: the same legal name, another company) gets `x.com` too: labelled as a
    different company, such pairs teach that the same legal name at the same company domain is
    a stranger, and a changed mailbox (ap@ for billing@) then reads as one. Here a namesake
    whose legal name is already at a domain registers its own (`x-co.com`). Other legal forms
    of a core name ("X Inc." beside "X LLC", sister companies) and companies with different
    core names keep sharing a domain, so the domain alone never decides. Names are kept."""
    owners: dict[str, set[tuple[str, str]]] = {}
    """Company domain → the (core name, legal form) of the entities using it."""
    out: list[SeedCustomer] = []
    for customer in customers:
        core, suffix = names.split_suffix(customer.name)
        email = customer.email
        domain = _domain_of(email)
        if domain is not None:
            if (core, legal_form(suffix)) in owners.get(domain, ()):
                stem, form, n = domain.rsplit(".", 1)[0], legal_form(suffix) or "co", 1
                domain = f"{stem}-{form}.com"
                while domain in owners:
                    n += 1
                    domain = f"{stem}-{form}{n}.com"
                email = f"{email.rpartition('@')[0]}@{domain}"
            owners.setdefault(domain, set()).add((core, legal_form(suffix)))
        out.append(customer if email == customer.email else replace(customer, email=email))
    return out


def p21_record(customer: SeedCustomer) -> CustomerRecord:
    """A seeded P21 customer as the matcher sees it."""
    return CustomerRecord(
        key=str(customer.customer_id), name=customer.name, email=customer.email,
        phone=customer.phone, line1=customer.address1, city=customer.city,
        state=customer.state, postal_code=customer.postal_code, country=customer.country,
    )  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One swapped, dropped, doubled or replaced letter (never the first)."""
    if len(word) < 4:
        return word
    pos = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    if op == 1:
        return word[:pos] + word[pos + 1 :]
    if op == 2:
        return word[:pos] + word[pos] + word[pos:]
    return word[:pos] + rng.choice("aeiourstnl") + word[pos + 1 :]


def _typo_name(name: str, rng: random.Random) -> str:
    base, suffix = names.split_suffix(name)
    tokens = base.split()
    long = [i for i, t in enumerate(tokens) if len(t) >= 5 and t.isalpha()]
    if long:
        i = rng.choice(long)
        tokens[i] = typo(tokens[i], rng)
    return " ".join([*tokens, suffix]).strip()


NameChange = Callable[[str, random.Random], str]
NAME_CHANGES: dict[str, NameChange] = {
    "typo": _typo_name,
    "suffix_swap": lambda n, _: names.with_other_suffix(n),
    "suffix_drop": lambda n, _: names.split_suffix(n)[0],
    "abbreviation": lambda n, _: names.abbreviated(n),
    "dba": names.doing_business_as,
    "upper": lambda n, _: n.upper(),
    "lower": lambda n, _: n.lower(),
    "punctuation": lambda n, _: "".join(ch for ch in n if ch.isalnum() or ch == " "),
    "and": lambda n, _: n.replace("&", "and"),
    "the": lambda n, _: f"The {n}",
}
CHANGE_WEIGHTS = (24, 12, 8, 12, 6, 8, 6, 8, 6, 4)


def corrupt_name(name: str, rng: random.Random) -> str:
    """One or two realistic changes (sometimes none)."""
    if rng.random() < 0.15:
        return name
    for change in rng.choices(list(NAME_CHANGES), weights=CHANGE_WEIGHTS, k=rng.choice((1, 1, 2))):
        name = NAME_CHANGES[change](name, rng)
    return name


def _reformat_phone(phone: str, rng: random.Random) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice((f"+1{digits}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"1 ({a}) {b}-{c}", phone))


def _other_phone(rng: random.Random) -> str:
    area = rng.choice(words.CITIES)[3]
    return f"({area}) 555-{rng.randrange(100, 9999):04d}"


def _free_mail(rng: random.Random) -> str:
    person = f"{rng.choice(words.FIRST_NAMES)}.{rng.choice(words.SURNAMES).lower()}"
    return f"{person}{rng.randrange(10, 99)}@{rng.choice(words.FREE_MAIL)}"


def _email(customer: SeedCustomer, rng: random.Random) -> str | None:
    roll = rng.random()
    free = customer.email.split("@")[1] in words.FREE_MAIL
    if roll < 0.45 or (free and roll < 0.78):
        return customer.email
    if roll < 0.70:  # another mailbox of the same company: ap@ for billing@ (the usual case)
        local, _, domain = customer.email.partition("@")
        return f"{rng.choice([m for m in words.MAILBOXES if m != local])}@{domain}"
    if roll < 0.78:
        return customer.email.upper()
    return None if roll < 0.88 else _free_mail(rng)


def _address(customer: SeedCustomer, rng: random.Random) -> tuple[str | None, ...]:
    roll = rng.random()
    if roll < 0.18:
        return (None, None, None, None)
    if roll < 0.24:
        city, state, zip3, _ = rng.choice(words.CITIES)
        line = f"{rng.randrange(100, 9900)} {rng.choice(words.STREETS)}"
        return (line, city, state, f"{zip3}{rng.randrange(10, 99)}")
    line = customer.address1
    if roll < 0.45:
        line = line.replace("St", "Street").replace("Dr", "Drive").replace("Rd", "Road")
    return (line, customer.city, customer.state, customer.postal_code)


def stripe_variant(customer: SeedCustomer, key: str, rng: random.Random) -> CustomerRecord:
    """The same company as typed into Stripe by someone else."""
    phone_roll = rng.random()
    phone = (
        _reformat_phone(customer.phone, rng)
        if phone_roll < 0.72
        else (None if phone_roll < 0.94 else _other_phone(rng))
    )
    line1, city, state, postal = _address(customer, rng)
    return CustomerRecord(
        key=key, name=corrupt_name(customer.name, rng), email=_email(customer, rng), phone=phone,
        line1=line1, city=city, state=state, postal_code=postal, country="US",
    )  # fmt: skip


def new_company(key: str, rng: random.Random, taken: set[str], near: str | None) -> CustomerRecord:
    """A company P21 does not know; `near` is a P21 name it borrows under another legal form
    (never a spelling of a form P21 already has for that name: "X Company" is "X Co."), with a
    domain of its own, as a separate legal entity has."""
    name = None
    if near is not None:
        base, _ = names.split_suffix(near)
        forms = {legal_form(s) for s in words.LEGAL_SUFFIXES if f"{base} {s}" in taken}
        options = [s for s in words.LEGAL_SUFFIXES if legal_form(s) not in forms]
        candidate = f"{base} {rng.choice(options)}" if options else None
        name = candidate if candidate is not None and candidate not in taken else None
    name = name or names.new_company(rng, taken)
    taken.add(name)
    domain = names.company_domain(name).replace(".com", rng.choice(("usa.com", "co.com", ".net")))
    city, state, zip3, _ = rng.choice(words.CITIES)
    email = _free_mail(rng) if rng.random() < 0.2 else f"{rng.choice(words.MAILBOXES)}@{domain}"
    return CustomerRecord(
        key=key, name=corrupt_name(name, rng), email=email,
        phone=_other_phone(rng) if rng.random() < 0.7 else None,
        line1=f"{rng.randrange(100, 9900)} {rng.choice(words.STREETS)}", city=city, state=state,
        postal_code=f"{zip3}{rng.randrange(10, 99)}", country="US",
    )  # fmt: skip


def business_set(
    split: str, *, p21_customers: int, stripe_customers: int, matched_share: float = 0.75
) -> LinkageSet:
    """One split: its own P21 base and Stripe records, ~`matched_share` of them known to P21."""
    seed = SPLIT_SEEDS[split]
    base = realistic_base(generate(seed, customers=p21_customers).customers)
    rng = random.Random(seed * 31 + 7)  # noqa: S311 - reproducible evaluation data
    matched = rng.sample(range(len(base)), k=min(len(base), int(stripe_customers * matched_share)))
    taken = {c.name for c in base}
    queries: list[CustomerRecord] = []
    truth: dict[str, str] = {}
    for position in matched:
        key = f"cus_{split}_{len(queries):06d}"
        queries.append(stripe_variant(base[position], key, rng))
        truth[key] = str(base[position].customer_id)
    while len(queries) < stripe_customers:
        key = f"cus_{split}_{len(queries):06d}"
        near = rng.choice(base).name if rng.random() < 0.3 else None
        queries.append(new_company(key, rng, taken, near))
    rng.shuffle(queries)
    return LinkageSet(f"business-{split}", queries, [p21_record(c) for c in base], truth)
