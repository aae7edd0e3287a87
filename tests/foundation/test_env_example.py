"""`.env.example` lists every setting, by the name the environment uses."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices

from stripe_p21.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _env_names(settings: Settings) -> list[list[str]]:
    names = []
    for group in vars(settings).values():
        config = type(group).model_config
        prefix = str(config.get("env_prefix", ""))
        for field_name, field in type(group).model_fields.items():
            alias = field.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
            names.append([c for c in choices if isinstance(c, str)] or [prefix + field_name])
    return [[n.upper() for n in group] for group in names]


def test_every_setting_is_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text()
    names = _env_names(Settings(env_file=None))
    assert len(names) > 40
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", text, re.MULTILINE))
    missing = [group[0] for group in names if not listed.intersection(group)]
    assert missing == []
