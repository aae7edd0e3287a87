"""stripe-p21: keeps Epicor Prophet 21 in step with Stripe, in real time."""

__version__ = "0.1.0"
