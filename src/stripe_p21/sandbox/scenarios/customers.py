"""Stripe customers of the scenario, drawn from the P21 seed so the right answer is known: some
identical to a P21 customer, some as typo / legal-suffix / abbreviation / DBA variants, new
companies on a free-mail domain another P21 customer uses, and brand-new companies."""

from __future__ import annotations

from dataclasses import dataclass

from stripe_p21.sandbox.p21 import seed_words as words
from stripe_p21.sandbox.p21.seed import SeedCustomer, SeedData
from stripe_p21.sandbox.scenarios import names
from stripe_p21.sandbox.scenarios.sim import Simulation
from stripe_p21.sandbox.scenarios.truth import Truth
from stripe_p21.sandbox.stripe import shapes_billing

VARIANTS = ("identical", "typo", "legal_suffix", "abbreviation", "dba", "free_mail", "new")
"""Every kind of customer; each appears at least once in a scenario."""

WEIGHTS = (30, 12, 12, 10, 6, 8, 22)

NEEDS_A_PERSON = {"dba": "dba_name"}
"""Variants a reviewer should confirm (queue `customer_match`), with the reason."""


@dataclass(frozen=True, slots=True)
class ScenarioCustomer:
    """A Stripe customer and the P21 customer it should be linked to (None = a new one)."""

    stripe_id: str
    variant: str
    p21_customer_id: int | None


def _free_mail_users(seed: SeedData) -> list[SeedCustomer]:
    return [c for c in seed.customers if c.email.split("@")[1] in words.FREE_MAIL]


def _profile(
    sim: Simulation, seed: SeedData, variant: str, taken: set[str]
) -> tuple[str, str, str | None, SeedCustomer | None]:
    """Name, e-mail, phone and the P21 customer behind it for one variant."""
    rng = sim.rng
    if variant in ("free_mail", "new"):
        name = names.new_company(rng, taken)
        sharing = _free_mail_users(seed)
        if variant == "free_mail" and sharing:
            domain = rng.choice(sharing).email.split("@")[1]
            person = f"{rng.choice(words.FIRST_NAMES)}.{rng.choice(words.SURNAMES).lower()}"
            return name, f"{person}{rng.randrange(10, 99)}@{domain}", None, None
        return name, f"{rng.choice(words.MAILBOXES)}@{names.company_domain(name)}", None, None
    p21 = rng.choice(seed.customers)
    spelled = {
        "identical": p21.name,
        "typo": names.with_typo(p21.name, rng),
        "legal_suffix": names.with_other_suffix(p21.name),
        "abbreviation": names.abbreviated(p21.name),
        "dba": names.doing_business_as(p21.name, rng),
    }[variant]
    email = p21.email if variant != "dba" else p21.email.upper()
    return spelled, email, p21.phone, p21


def create_customer(
    sim: Simulation, seed: SeedData, truth: Truth, variant: str
) -> ScenarioCustomer:
    """Create one Stripe customer of `variant` now (event `customer.created`)."""
    taken = {c.name for c in seed.customers} | set(truth.customer_names())
    name, email, phone, p21 = _profile(sim, seed, variant, taken)
    address = shapes_billing.address(country="US")
    if p21 is not None:
        address.update(line1=p21.address1, city=p21.city, state=p21.state,
                       postal_code=p21.postal_code)  # fmt: skip
    customer = shapes_billing.customer(
        id=sim.new_id("customer"), created=sim.now, name=name, email=email, phone=phone,
        address=address, description=f"Scenario customer ({variant})",
    )  # fmt: skip
    sim.emit("customer.created", customer)
    p21_id = p21.customer_id if p21 is not None else None
    truth.link_customer(customer["id"], p21_id, variant=variant, name=name, email=email)
    reason = NEEDS_A_PERSON.get(variant)
    if reason is not None:
        truth.exception("customer_match", reason, customer["id"], suggested_p21_customer_id=p21_id)
    return ScenarioCustomer(customer["id"], variant, p21_id)


def create_customers(
    sim: Simulation, seed: SeedData, truth: Truth, count: int
) -> list[ScenarioCustomer]:
    """`count` customers (at least one of each variant), created on the first morning."""
    chosen = list(VARIANTS)
    chosen += sim.rng.choices(VARIANTS, weights=WEIGHTS, k=max(0, count - len(VARIANTS)))
    made = []
    for offset, variant in enumerate(chosen):
        sim.now = sim.start + 7 * 3600 + offset * 37
        made.append(create_customer(sim, seed, truth, variant))
    sim.now = sim.start
    return made
