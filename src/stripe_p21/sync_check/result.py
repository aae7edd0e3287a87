"""What a check found: every difference between the ground truth and what P21 and our database
hold, each with its kind, its subject and both sides, plus a human summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the outcome departs from the truth. `area` groups (orders, payments,
    credit_memos, gl_entries, reconciliation, review_items, customers); `kind` says how."""

    area: str
    kind: str
    subject: str
    expected: Any = None
    actual: Any = None
    detail: str = ""

    def line(self) -> str:
        text = f"[{self.area}] {self.kind} {self.subject}"
        if self.expected is not None or self.actual is not None:
            text += f": expected {self.expected!r}, got {self.actual!r}"
        return text + (f" ({self.detail})" if self.detail else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "kind": self.kind,
            "subject": self.subject,
            "expected": _plain(self.expected),
            "actual": _plain(self.actual),
            "detail": self.detail,
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


@dataclass(slots=True)
class CheckResult:
    """`ok` when nothing differs. `checked` counts what was compared per area."""

    differences: list[Difference] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.differences

    def by_area(self) -> Counter[str]:
        return Counter(d.area for d in self.differences)

    def by_kind(self) -> Counter[str]:
        return Counter(f"{d.area}.{d.kind}" for d in self.differences)

    def summary(self, *, limit: int = 40) -> str:
        """Readable report: counts compared, then the differences (the first `limit`)."""
        compared = ", ".join(f"{area} {n}" for area, n in sorted(self.checked.items()))
        if self.ok:
            return f"sync check: no differences from the ground truth ({compared})"
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind().items()))
        lines = [
            f"sync check: {len(self.differences)} differences ({kinds})",
            f"  compared: {compared}",
        ]
        lines += [f"  - {d.line()}" for d in self.differences[:limit]]
        if len(self.differences) > limit:
            lines.append(f"  … and {len(self.differences) - limit} more")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": dict(self.checked),
            "by_kind": dict(self.by_kind()),
            "differences": [d.as_json() for d in self.differences],
        }
