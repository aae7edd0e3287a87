"""HTTP surfaces besides the webhook: operations endpoints and the JSON API."""
