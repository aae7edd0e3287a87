"""Bundled handlers; importing this package registers them. One module per Stripe family."""

from stripe_p21.pipeline.handlers import balance

__all__ = ["balance"]
