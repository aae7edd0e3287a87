"""No configured secret ever reaches a log line, an error body or the events API."""

from __future__ import annotations

import pytest

from stripe_p21.auth.tokens import create_token
from stripe_p21.db.tables import TokenRole
from tests.conftest import StackFactory
from tests.support.factories import effect_event

SECRETS = {
    "STRIPE_API_KEY": "sk_test_51SuperSecretStripeKeyValue",
    "P21_PASSWORD": "p21-Hunter2-Password!",
    "P21_CLIENT_SECRET": "p21-consumer-key-ZZZ999",
    "OPENAI_API_KEY": "sk-openai-secret-abcdef123456",
}


async def test_no_secret_in_logs_bodies_or_api(
    stack_factory: StackFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    async with stack_factory(STRIPE_P21_LOG_LEVEL="DEBUG", **SECRETS) as stack:
        webhook_secret = stack.settings.webhook.secrets()[0]
        leaky = effect_event(
            fail_until_attempt=1,
            fail_message=f"P21 said: bad password {SECRETS['P21_PASSWORD']} for key "
            f"{SECRETS['STRIPE_API_KEY']} / {webhook_secret}",
        )
        bodies = [
            (await stack.post_event(leaky)).text,
            (await stack.post_event(effect_event(), secret="whsec_wrong_one_123")).text,
            (await stack.post_event(b"{broken")).text,
        ]
        await stack.settle(leaky["id"])
        token = await create_token(stack.services.sessions, name="t", role=TokenRole.ADMIN)
        detail = await stack.client.get(
            f"/api/events/{leaky['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        bodies += [detail.text, (await stack.client.get("/readyz")).text]
        bodies.append((await stack.client.get("/metrics")).text)
    logs = capfd.readouterr()
    assert "[REDACTED]" in detail.text  # the leak was there, and it was scrubbed
    everything = "\n".join([*bodies, logs.out, logs.err])
    assert "handler" in everything or "event" in everything  # something was logged
    for value in [*SECRETS.values(), webhook_secret]:
        assert value not in everything, f"secret {value[:6]}… leaked"
