"""Gateways to the systems stripe-p21 talks to; domain code depends on these, never on httpx."""
