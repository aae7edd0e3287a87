"""Allow ``python -m stripe_p21.sandbox.p21`` (the benchmark starts the sandbox this way)."""

from stripe_p21.sandbox.p21.cli import p21

p21()
