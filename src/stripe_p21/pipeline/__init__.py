"""The pipeline: from a stored Stripe event to its effects, at least once, applied once."""
