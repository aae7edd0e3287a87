"""What reviewers said before, as a pure lookup the scorer consults: the latest decision on the
exact (schema pair, target field, source) wins; decisions on other schema pairs nudge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Decision:
    source_schema: str
    target_schema: str
    target_field: str
    source: str
    """A source field path (`amount`, `metadata.order_id`)."""
    transform: str | None
    accepted: bool
    at: datetime


@dataclass(slots=True)
class FeedbackMemory:
    """Decisions indexed for the scorer; build it with `FeedbackMemory.of(decisions)`."""

    exact: dict[tuple[str, str, str, str], Decision] = field(default_factory=dict)
    elsewhere: dict[tuple[str, str], list[Decision]] = field(default_factory=dict)

    @classmethod
    def of(cls, decisions: Iterable[Decision]) -> FeedbackMemory:
        memory = cls()
        for decision in sorted(decisions, key=lambda d: d.at):
            key = (decision.source_schema, decision.target_schema, decision.target_field)
            memory.exact[(*key, decision.source)] = decision
            loose = (decision.target_field.lower(), decision.source.lower())
            memory.elsewhere.setdefault(loose, []).append(decision)
        return memory

    def decision(
        self, source_schema: str, target_schema: str, target: str, source: str
    ) -> Decision | None:
        """The latest decision on exactly this mapping, if any."""
        return self.exact.get((source_schema, target_schema, target, source))

    def accepted_for(self, source_schema: str, target_schema: str, target: str) -> list[Decision]:
        """Accepted mappings of this target field in this schema pair (latest per source)."""
        return [
            d
            for (s, t, f, _), d in self.exact.items()
            if (s, t, f) == (source_schema, target_schema, target) and d.accepted
        ]

    def lean(self, source_schema: str, target_schema: str, target: str, source: str) -> float:
        """-1..1: how other schema pairs judged the same target name ← source name."""
        votes = [
            1.0 if d.accepted else -1.0
            for d in self.elsewhere.get((target.lower(), source.lower()), [])
            if (d.source_schema, d.target_schema) != (source_schema, target_schema)
        ]
        return sum(votes) / len(votes) if votes else 0.0
