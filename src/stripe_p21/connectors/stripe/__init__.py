"""Stripe connector: the `StripeGateway` protocol the pipeline uses, its `stripe.StripeClient`
implementation, typed errors, and webhook signature checks. Only this package imports `stripe`."""

from stripe_p21.connectors.stripe.client import StripeClientGateway
from stripe_p21.connectors.stripe.errors import (
    StripeAuthError,
    StripeGatewayError,
    StripeInvalidRequest,
    StripeNotFound,
    StripePermanentError,
    StripeRateLimited,
    StripeTransientError,
)
from stripe_p21.connectors.stripe.gateway import (
    STRIPE_API_VERSION,
    MetadataKind,
    StripeDict,
    StripeGateway,
)

__all__ = [
    "STRIPE_API_VERSION",
    "MetadataKind",
    "StripeAuthError",
    "StripeClientGateway",
    "StripeDict",
    "StripeGateway",
    "StripeGatewayError",
    "StripeInvalidRequest",
    "StripeNotFound",
    "StripePermanentError",
    "StripeRateLimited",
    "StripeTransientError",
]
