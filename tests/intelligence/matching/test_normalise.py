"""Normalisation of names, e-mails, phones and addresses: golden snapshots plus the rules that
matter for matching (DBA, free-mail, suffixes, abbreviations)."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from syrupy.assertion import SnapshotAssertion

from stripe_p21.intelligence.matching import normalise as norm
from stripe_p21.intelligence.matching.records import CustomerRecord, prepare

NAMES = [
    "Midwest Industrial Supply, Inc.",
    "MIDWEST IND. SPLY INCORPORATED",
    "Baker & Hoffman Mechanical L.L.C.",
    "Baker and Hoffman Mech. Co",
    "Keller Fastener dba Summit Tool & Fastener",
    "The Carlson Hydraulics GmbH",
    "Ünderwood Mfg. Svc Intl Dist Corp.",
    "O'Brien Bros. Ltd.",
    "",
]


def test_name_forms_snapshot(snapshot: SnapshotAssertion) -> None:
    forms = {name: [asdict(form) for form in norm.name_forms(name)] for name in NAMES}
    assert forms == snapshot


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Midwest Industrial Supply, Inc.", "MIDWEST IND. SPLY INCORPORATED"),
        ("Baker & Hoffman Mechanical L.L.C.", "Baker and Hoffman Mech. Co"),
        ("Summit Packaging Ltd.", "summit packaging limited"),
    ],
)
def test_variants_share_a_core_name(left: str, right: str) -> None:
    assert norm.name_forms(left)[0].core == norm.name_forms(right)[0].core


def test_dba_yields_both_names_and_is_flagged() -> None:
    forms = norm.name_forms("Keller Fastener d/b/a Summit Tool & Fastener")
    assert [f.core for f in forms] == ["keller fastener", "summit tool fastener"]
    assert norm.has_trade_name("Keller Fastener DBA Summit")
    assert not norm.has_trade_name("Dbase Systems Inc")


def test_free_mail_is_not_a_company_domain() -> None:
    personal = norm.email_parts("Maria.Jensen+stripe@GMail.com")
    company = norm.email_parts("ap@midwestindustrial.com")
    assert personal is not None and company is not None
    assert personal.address == "mariajensen@gmail.com"
    assert personal.company_domain is None
    assert company.company_domain == "midwestindustrial.com"
    assert norm.email_parts("not-an-email") is None


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(216) 555-0123", "+12165550123"),
        ("216.555.0123 ext 12", "+12165550123"),
        ("1 216 555 0123", "+12165550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555-0123", None),
        (None, None),
    ],
)
def test_phone_e164(raw: str | None, e164: str | None) -> None:
    assert norm.phone_e164(raw) == e164


def test_prepared_record_snapshot(snapshot: SnapshotAssertion) -> None:
    record = CustomerRecord(
        key="cus_1", name="Great Lakes Fluid Power Co. dba GL Hydraulics",
        email="AP@GreatLakes.com", phone="+1 (312) 555-7788", line1="1200 Industrial Parkway",
        city="Chicago", state="IL", postal_code="60601-1234", country="United States",
    )  # fmt: skip
    prepared = prepare(record)
    assert prepared.postal == "60601"
    assert prepared.street == "1200 industrial pkwy"
    assert prepared.trade_name
    assert asdict(prepared) == snapshot
