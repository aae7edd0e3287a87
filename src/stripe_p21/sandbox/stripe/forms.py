"""Decode Stripe's form encoding: `metadata[k]=v`, `expand[]=x`, `expand[0]=x`, `items[0][price]=p`.

stripe-python sends arrays indexed (`expand[0]`), curl users send `expand[]`; both become lists.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_DICT_ONLY = frozenset({"metadata"})


class FormError(ValueError):
    """A parameter name that cannot be decoded."""

    def __init__(self, param: str) -> None:
        super().__init__(f"Invalid parameter name: {param}")
        self.param = param


def _segments(key: str) -> list[str]:
    match = _KEY.match(key)
    if match is None:
        raise FormError(key)
    rest = match.group(2)
    return [match.group(1), *re.findall(r"\[([^\[\]]*)\]", rest)]


def _assign(root: dict[str, Any], path: list[str], value: str) -> None:
    node = root
    for depth, segment in enumerate(path[:-1]):
        following = path[depth + 1]
        child = node.get(segment)
        if not isinstance(child, dict):
            child = {}
            node[segment] = child
        if following == "":
            path[depth + 1] = str(len(child))
        node = child
    last = path[-1]
    node[last] = value


def _listify(value: Any, name: str = "") -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _listify(item, key) for key, item in value.items()}
    if converted and name not in _DICT_ONLY and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def decode(raw: str | bytes) -> dict[str, Any]:
    """Nested parameters from a query string or form body (values stay strings)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        path = _segments(key)
        if len(path) == 1:
            root[path[0]] = value
            continue
        _assign(root, path, value)
    return {key: _listify(item, key) for key, item in root.items()}


def as_int(params: dict[str, Any], name: str) -> int | None:
    """Integer parameter, None when absent; ValueError names the parameter when malformed."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise FormError(name)


def as_bool(params: dict[str, Any], name: str) -> bool:
    """Boolean parameter (`true`/`false`), False when absent."""
    value = params.get(name)
    if value in (None, "", "false"):
        return False
    if value == "true":
        return True
    raise FormError(name)


def as_list(params: dict[str, Any], name: str) -> list[str]:
    """List parameter (`name[]`, `name[0]` or a single `name`), empty when absent."""
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(item) for item in value if item != ""]
    if isinstance(value, str):
        return [value]
    raise FormError(name)
