"""Calibrated fuzzy matching of Stripe customers against the P21 customer base."""
