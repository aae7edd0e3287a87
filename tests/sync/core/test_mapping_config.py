"""config/mapping.yaml: validated at start, errors name the exact key; money at the boundary."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stripe_p21.pipeline.mapping.config import (
    PACKAGED,
    MappingConfigError,
    load_mapping,
    parse_mapping,
)
from stripe_p21.pipeline.mapping.money import exponent, to_decimal, to_minor

ROOT = Path(__file__).resolve().parents[3]


def _config() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "config" / "mapping.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_the_shipped_file_is_valid_and_the_packaged_copy_is_identical() -> None:
    config = load_mapping(ROOT / "config" / "mapping.yaml")
    assert config.version and config.company.id == "ACME"
    assert config.gl.account("bank") == "1010" and config.gl.fee_account("unknown") == "6150"
    assert PACKAGED.read_text() == (ROOT / "config" / "mapping.yaml").read_text()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("company", "time_zone", "Mars/Olympus"),
            "company.time_zone: Value error, unknown time zone",
        ),
        (("refunds", "strategy", "random"), "refunds.strategy: Input should be"),
        (("orders", "payment_type_id", ""), "orders.payment_type_id: String should have at least"),
        (("customers", "policy", "single_global_customer"), "global_customer_id is required"),
        (("gl", "surprise", 1), "gl.surprise: Extra inputs are not permitted"),
    ],
)
def test_a_bad_value_names_its_key_and_reason(
    change: tuple[str, str, object], expected: str
) -> None:
    data = _config()
    section, key, value = change
    data[section] = {**data[section], key: value}  # type: ignore[dict-item]
    with pytest.raises(MappingConfigError, match="mapping: ") as raised:
        parse_mapping(data)
    assert expected in str(raised.value)


def test_missing_account_roles_are_listed() -> None:
    data = _config()
    gl = dict(data["gl"])  # type: ignore[call-overload]
    gl["accounts"] = {k: v for k, v in gl["accounts"].items() if k not in ("bank", "fx")}
    data["gl"] = gl
    with pytest.raises(
        MappingConfigError, match=r"gl\.accounts: Value error, missing account for bank, fx"
    ):
        parse_mapping(data)


def test_unreadable_and_non_yaml_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(MappingConfigError, match="cannot read the mapping file"):
        load_mapping(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [unclosed\n")
    with pytest.raises(MappingConfigError, match="not valid YAML"):
        load_mapping(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(MappingConfigError, match="must hold a mapping of keys, not list"):
        load_mapping(listed)


def test_serve_refuses_to_start_with_a_bad_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "mapping.yaml"
    data = _config()
    data["refunds"] = {"strategy": "single_item"}
    bad.write_text(yaml.safe_dump(data))
    env = {
        "STRIPE_P21_MAPPING_FILE": str(bad),
        "STRIPE_P21_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "stripe_p21", "serve", "--port", "1"],
        env=env, capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "invalid mapping configuration" in result.stderr
    assert "refunds: Value error, refund_item_id is required when strategy is single_item" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(125_000, "usd", "1250.00"), (151_000, "JPY", "151000"), (1_804_760, "kwd", "1804.760"),
     (-5, "usd", "-0.05"), (0, "bhd", "0.000")],
)  # fmt: skip
def test_minor_units_become_exact_decimals(minor: int, currency: str, text: str) -> None:
    assert str(to_decimal(minor, currency)) == text
    assert to_minor(Decimal(text), currency) == minor


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["usd", "jpy", "kwd", "eur", "omr"]),
)
def test_round_trip_is_exact(minor: int, currency: str) -> None:
    value = to_decimal(minor, currency)
    assert -value.as_tuple().exponent == exponent(currency)  # type: ignore[operator]
    assert to_minor(value, currency) == minor


def test_floats_and_excess_precision_are_refused() -> None:
    with pytest.raises(TypeError):
        to_decimal(12.5, "usd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="more decimals than JPY allows"):
        to_minor(Decimal("10.5"), "jpy")
