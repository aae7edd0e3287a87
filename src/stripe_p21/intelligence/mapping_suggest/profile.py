"""Value profiles: what sample values look like (shape `9.9`, `a_x`, `9-9-9`, id prefixes,
magnitude), and how alike two profiles are. Source samples are transformed first, so 12500 minor
units compare with "125.00"."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_RUNS = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]")
_PREFIX = re.compile(r"^([a-z]{2,5})_[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class ValueProfile:
    shapes: frozenset[str]
    prefixes: frozenset[str]
    magnitude: float | None
    """Mean log10 of absolute numeric values; None when the values are not numbers."""
    length: float


def shape(value: Any) -> str:
    """`125.00` → `9.9`; `ch_3Qa…` → `a_x`; `2025-11-25` → `9-9-9`; `ap@x.example` → `a@a.a`."""
    text = str(value).strip()
    parts = []
    for run in _RUNS.findall(text):
        if run.isdigit():
            parts.append("9")
        elif run.isalpha():
            parts.append("a")
        elif run.isalnum():
            parts.append("x")
        else:
            parts.append(run)
    return "".join(parts)[:24]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return float(value)
    return None


def profile_of(values: Iterable[Any]) -> ValueProfile | None:
    """The profile of the non-empty values, or None when there are none."""
    present = [v for v in values if v is not None and v != "" and not isinstance(v, dict | list)]
    if not present:
        return None
    numbers = [n for n in (_number(v) for v in present) if n is not None]
    magnitude = None
    if numbers and len(numbers) == len(present):
        magnitude = sum(math.log10(abs(n) + 1) for n in numbers) / len(numbers)
    prefixes = {m.group(1) for v in present if (m := _PREFIX.match(str(v)))}
    return ValueProfile(
        shapes=frozenset(shape(v) for v in present),
        prefixes=frozenset(prefixes),
        magnitude=magnitude,
        length=sum(len(str(v)) for v in present) / len(present),
    )


def similarity(a: ValueProfile, b: ValueProfile) -> float:
    """0..1: shared shapes, shared id prefixes, close magnitudes and lengths."""
    shapes = len(a.shapes & b.shapes) / len(a.shapes | b.shapes)
    parts = [(shapes, 0.5)]
    if a.prefixes or b.prefixes:
        parts.append((1.0 if a.prefixes & b.prefixes else 0.0, 0.3))
    if a.magnitude is not None and b.magnitude is not None:
        parts.append((max(0.0, 1.0 - abs(a.magnitude - b.magnitude) / 3.0), 0.3))
    longer = max(a.length, b.length, 1.0)
    parts.append((1.0 - abs(a.length - b.length) / longer, 0.2))
    return sum(score * w for score, w in parts) / sum(w for _, w in parts)
