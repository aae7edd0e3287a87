"""The scenario's discrete-event simulation: a time-ordered agenda of actions that record the
Stripe objects and events to send, so a whole scenario is planned before anything is delivered.

All draws come from one seeded `random.Random` and one seeded `IdFactory`: same seed, same plan.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stripe_p21.sandbox.stripe.ids import IdFactory

StripeObj = dict[str, Any]
Action = Callable[["Simulation"], object]

DAY = 86_400


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do to the sandbox at simulated time `at`: store an object, and when
    `event_type` is set, send an event carrying a snapshot of it."""

    at: int
    obj: StripeObj
    event_type: str | None = None
    payout: str | None = None
    previous: StripeObj | None = None


@dataclass
class Simulation:
    """Runs actions in time order and records the steps they produce."""

    seed: int
    start: int
    end: int
    rng: random.Random = field(init=False)
    ids: IdFactory = field(init=False)
    now: int = field(init=False)
    steps: list[Step] = field(default_factory=list)
    objects: dict[str, StripeObj] = field(default_factory=dict)
    _agenda: list[tuple[int, int, Action]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible test data
        self.ids = IdFactory(self.seed)
        self.now = self.start

    def at(self, when: int, action: Action) -> None:
        """Run `action` at simulated time `when` (dropped when it falls after the end)."""
        if when < self.end:
            heapq.heappush(self._agenda, (max(when, self.now), next(self._order), action))

    def later(self, seconds: int, action: Action) -> None:
        """Run `action` `seconds` after now."""
        self.at(self.now + seconds, action)

    def run(self) -> None:
        """Run every scheduled action, in time order, until the agenda is empty."""
        while self._agenda:
            when, _, action = heapq.heappop(self._agenda)
            self.now = when
            action(self)

    def new_id(self, object_type: str) -> str:
        """A seeded Stripe id for `object_type` (`charge`, `si`, `price`…)."""
        if object_type in ("si", "price", "il", "pm", "ba"):
            return self.ids.new(object_type)
        return self.ids.for_object(object_type)

    def put(self, obj: StripeObj, *, payout: str | None = None) -> StripeObj:
        """Store `obj` without an event."""
        self._record(Step(self.now, copy.deepcopy(obj), payout=payout))
        return obj

    def emit(self, event_type: str, obj: StripeObj, *, previous: StripeObj | None = None) -> None:
        """Store `obj` and send `event_type` about it."""
        self._record(Step(self.now, copy.deepcopy(obj), event_type, None, previous))

    def update(self, event_type: str, obj: StripeObj, **changes: Any) -> StripeObj:
        """Apply `changes` to `obj` and send an event whose `previous_attributes` are the old
        values of the changed top-level fields."""
        previous = {key: copy.deepcopy(obj.get(key)) for key in changes}
        obj.update(changes)
        self.emit(event_type, obj, previous=previous)
        return obj

    def _record(self, step: Step) -> None:
        self.steps.append(step)
        self.objects[str(step.obj["id"])] = step.obj

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.rng.random() < probability

    def business_hour(self, day: int) -> int:
        """A random time between 08:00 and 20:00 UTC on scenario day `day`."""
        return self.start + day * DAY + self.rng.randrange(8 * 3600, 20 * 3600)
