"""A faithful local stand-in for the Stripe API: stores objects, serves Stripe's wire format to
the official `stripe` library, and delivers signed webhooks with Stripe's retries and chaos."""

from stripe_p21.sandbox.stripe.app import create_app
from stripe_p21.sandbox.stripe.clock import Clock
from stripe_p21.sandbox.stripe.faults import Fault
from stripe_p21.sandbox.stripe.server import RunningServer, serve_in_thread
from stripe_p21.sandbox.stripe.service import SandboxConfig, StripeSandbox
from stripe_p21.sandbox.stripe.signing import DeliveryPolicy, signature_header
from stripe_p21.sandbox.stripe.store import RequestInfo, SandboxStore

__all__ = [
    "Clock",
    "DeliveryPolicy",
    "Fault",
    "RequestInfo",
    "RunningServer",
    "SandboxConfig",
    "SandboxStore",
    "StripeSandbox",
    "create_app",
    "serve_in_thread",
    "signature_header",
]
