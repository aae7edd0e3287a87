"""Seeded generator of a distributor's Stripe activity over N days, consistent with the P21
sandbox's seed, with the ground truth of what P21 should hold afterwards (docs/scenarios.md)."""

from stripe_p21.sandbox.scenarios import cli as scenario_cli
from stripe_p21.sandbox.scenarios.generator import (
    DEFAULT_START,
    Scenario,
    ScenarioSpec,
    generate,
    set_pieces,
)
from stripe_p21.sandbox.scenarios.runner import LocalSandbox, local_sandbox, play
from stripe_p21.sandbox.scenarios.sim import Step
from stripe_p21.sandbox.scenarios.sinks import AdminApiSink, LocalSink, ScenarioSink
from stripe_p21.sandbox.scenarios.truth import FORMAT_VERSION, QUEUES, Truth

__all__ = [
    "DEFAULT_START",
    "FORMAT_VERSION",
    "QUEUES",
    "AdminApiSink",
    "LocalSandbox",
    "LocalSink",
    "Scenario",
    "ScenarioSink",
    "ScenarioSpec",
    "Step",
    "Truth",
    "generate",
    "local_sandbox",
    "play",
    "scenario_cli",
    "set_pieces",
]
