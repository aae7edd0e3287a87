"""`config/mapping.yaml`: the one versioned file that says how Stripe becomes P21.

Validated when the service starts: a bad file stops start-up with the exact key and the reason
(`MappingConfigError`). Its `version` is stamped on every `sync_link`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_PATH = Path("config/mapping.yaml")
PACKAGED = Path(__file__).with_name("mapping.default.yaml")
"""The repository's `config/mapping.yaml`, shipped in the package (a test keeps them equal)."""


class MappingConfigError(ValueError):
    """The mapping file is missing, not YAML, or fails validation; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Strict):
    id: str = Field(min_length=1, max_length=8)
    time_zone: str
    date_format: str = "%Y-%m-%d"
    location_id: str = "10"
    taker: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


ItemRule = Literal["metadata_item_id", "sku"]


class Orders(_Strict):
    mode: Literal["sales_order", "direct_invoice"] = "sales_order"
    payment_type_id: str = Field(min_length=1)
    payment_type_ach_id: str | None = None
    fallback_item_id: str = Field(min_length=1)
    item_rules: tuple[ItemRule, ...] = ("metadata_item_id", "sku")


class Refunds(_Strict):
    strategy: Literal["proportional", "single_item", "by_metadata"] = "proportional"
    refund_item_id: str | None = None

    @model_validator(mode="after")
    def _item_for_single(self) -> Refunds:
        if self.strategy == "single_item" and not self.refund_item_id:
            raise ValueError("refund_item_id is required when strategy is single_item")
        return self


class Customers(_Strict):
    policy: Literal["create", "review", "single_global_customer"] = "create"
    global_customer_id: int | None = None
    match_hook: Literal["none", "fuzzy"] = "fuzzy"

    @model_validator(mode="after")
    def _global_needs_id(self) -> Customers:
        if self.policy == "single_global_customer" and self.global_customer_id is None:
            raise ValueError("global_customer_id is required when policy is single_global_customer")
        return self


ACCOUNT_ROLES = (
    "bank", "stripe_clearing", "receivables", "sales", "sales_returns", "card_fees",
    "dispute_losses", "dispute_fees", "fx", "other_adjustments",
)  # fmt: skip


class GL(_Strict):
    journal_id: str = "STRIPE"
    accounts: dict[str, str]
    fee_accounts: dict[str, str] = Field(default_factory=dict)
    dispute_entries: Literal["memo", "post"] = "memo"
    """`memo`: dispute money is booked by the payout's entry (recorded, not posted, at
    funds_withdrawn/reinstated); `post`: also post an entry per dispute movement (ADR 0502)."""

    @field_validator("accounts")
    @classmethod
    def _every_role(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [role for role in ACCOUNT_ROLES if not value.get(role)]
        if missing:
            raise ValueError(f"missing account for {', '.join(missing)}")
        unknown = sorted(set(value) - set(ACCOUNT_ROLES))
        if unknown:
            raise ValueError(f"unknown account role {', '.join(unknown)}")
        return value

    def account(self, role: str) -> str:
        return self.accounts[role]

    def fee_account(self, fee_type: str) -> str:
        return self.fee_accounts.get(fee_type) or self.accounts["card_fees"]


class Subscriptions(_Strict):
    representation: Literal["customer_note", "user_defined_fields"] = "customer_note"


class MappingConfig(_Strict):
    version: str = Field(min_length=1, max_length=64)
    company: Company
    orders: Orders
    refunds: Refunds = Refunds()
    customers: Customers = Customers()
    gl: GL
    subscriptions: Subscriptions = Subscriptions()


def _location(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(top level)"


def parse_mapping(data: Any, *, source: str = "mapping") -> MappingConfig:
    """Validate already-parsed YAML; errors name `source: key.path: reason`."""
    if not isinstance(data, dict):
        raise MappingConfigError(
            f"{source}: the file must hold a mapping of keys, not {type(data).__name__}"
        )
    try:
        return MappingConfig.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(f"{_location(e)}: {e['msg']}" for e in exc.errors())
        raise MappingConfigError(f"{source}: {reasons}") from None


def load_mapping(path: str | Path | None = None) -> MappingConfig:
    """Load and validate the mapping file (`config/mapping.yaml`, else the packaged copy)."""
    target = Path(path) if path is not None else DEFAULT_PATH
    if path is None and not target.exists():
        target = PACKAGED
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingConfigError(
            f"{target}: cannot read the mapping file ({exc.strerror})"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingConfigError(f"{target}: not valid YAML ({exc})") from None
    return parse_mapping(data, source=str(target))
