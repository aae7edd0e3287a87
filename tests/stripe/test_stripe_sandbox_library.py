"""The official `stripe` library, unchanged, drives the sandbox as it would Stripe's test mode."""

from __future__ import annotations

import httpx
import pytest
import stripe

from stripe_p21.sandbox.stripe import StripeSandbox

from .conftest import API_KEY


def _paid_intent(client: stripe.StripeClient, **params: object) -> stripe.PaymentIntent:
    base = {"amount": 2500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    return client.v1.payment_intents.create(params={**base, **params})  # type: ignore[arg-type]


def test_customer_create_retrieve_and_metadata_round_trip(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        params={"name": "Acme Supply", "email": "ap@acme.test", "metadata": {"source": "web"}}
    )
    assert created.id.startswith("cus_")
    client.v1.customers.update(created.id, params={"metadata": {"p21_customer_id": "10042"}})
    fetched = client.v1.customers.retrieve(created.id)
    assert fetched.name == "Acme Supply"
    assert fetched.metadata.to_dict() == {"source": "web", "p21_customer_id": "10042"}
    client.v1.customers.update(created.id, params={"metadata": {"source": ""}})
    assert client.v1.customers.retrieve(created.id).metadata.to_dict() == {
        "p21_customer_id": "10042"
    }


def test_confirmed_payment_intent_makes_charge_and_balance_transaction(
    client: stripe.StripeClient,
) -> None:
    intent = _paid_intent(client, metadata={"p21_order_no": "7001"})
    assert intent.status == "succeeded" and intent.amount_received == 2500
    charge = client.v1.charges.retrieve(
        str(intent.latest_charge), params={"expand": ["balance_transaction", "payment_intent"]}
    )
    txn = charge.balance_transaction
    assert isinstance(txn, stripe.BalanceTransaction)
    assert txn.amount == 2500 and txn.fee == 103 and txn.net == 2397
    assert txn.fee_details[0].type == "stripe_fee"
    assert isinstance(charge.payment_intent, stripe.PaymentIntent)
    assert charge.metadata["p21_order_no"] == "7001"


@pytest.mark.parametrize(
    ("currency", "amount", "fee"),
    [("jpy", 5000, 145), ("kwd", 10_000, 590), ("eur", 1000, 59)],
)
def test_zero_and_three_decimal_currencies(
    client: stripe.StripeClient, currency: str, amount: int, fee: int
) -> None:
    intent = _paid_intent(client, amount=amount, currency=currency)
    charge = client.v1.charges.retrieve(
        str(intent.latest_charge), params={"expand": ["balance_transaction"]}
    )
    assert charge.amount == amount
    assert charge.balance_transaction.fee == fee  # type: ignore[union-attr]


def test_three_decimal_amounts_must_be_multiples_of_ten(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _paid_intent(client, amount=10_005, currency="kwd")
    assert caught.value.param == "amount"


def test_partial_then_full_refund(client: stripe.StripeClient) -> None:
    intent = _paid_intent(client, amount=3000)
    first = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000})
    second = client.v1.refunds.create(params={"charge": str(intent.latest_charge)})
    assert first.amount == 1000 and second.amount == 2000
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert charge.amount_refunded == 3000 and charge.refunded is True
    assert [refund.id for refund in charge.refunds.data] == [second.id, first.id]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": charge.id})
    assert caught.value.code == "charge_already_refunded"


def test_declined_card_raises_card_error(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError) as caught:
        _paid_intent(client, payment_method="pm_card_chargeDeclined")
    assert caught.value.code == "card_declined"


def test_legacy_charge_create_and_update(client: stripe.StripeClient) -> None:
    charge = client.v1.charges.create(
        params={"amount": 1500, "currency": "usd", "source": "tok_visa"}
    )
    updated = client.v1.charges.update(charge.id, params={"metadata": {"p21_order_no": "9"}})
    assert updated.metadata["p21_order_no"] == "9"
    assert charge.payment_method_details.card.last4 == "4242"  # type: ignore[union-attr]


def test_list_pagination_forward_and_backward(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Paging Co"})
    ids = [_paid_intent(client, customer=customer.id).id for _ in range(5)]
    newest_first = list(reversed(ids))
    page = client.v1.payment_intents.list(params={"customer": customer.id, "limit": 2})
    assert page.url == "/v1/payment_intents" and page.has_more is True
    assert [item.id for item in page.data] == newest_first[:2]
    walked = [item.id for item in page.auto_paging_iter()]
    assert walked == newest_first
    before = client.v1.payment_intents.list(
        params={"customer": customer.id, "limit": 2, "ending_before": newest_first[3]}
    )
    assert [item.id for item in before.data] == newest_first[1:3]
    assert before.has_more is True


def test_list_expand_data_field(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Expand Co"})
    _paid_intent(client, customer=customer.id)
    page = client.v1.charges.list(params={"customer": customer.id, "expand": ["data.customer"]})
    assert page.data[0].customer.name == "Expand Co"  # type: ignore[union-attr]


def test_error_envelopes_map_to_library_exceptions(
    client: stripe.StripeClient, api_base: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.charges.retrieve("ch_doesnotexist")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.customers.create(params={"nmae": "typo"})  # type: ignore[typeddict-unknown-key]
    assert (unknown.value.http_status, unknown.value.param) == (400, "nmae")
    wrong_key = stripe.StripeClient("sk_live_nope", base_addresses={"api": api_base})
    with pytest.raises(stripe.AuthenticationError):
        wrong_key.v1.charges.list()


def test_raw_http_envelope_headers_and_auth(api_base: str) -> None:
    response = httpx.get(
        f"{api_base}/v1/charges/ch_missing",
        headers={"Authorization": f"Bearer {API_KEY}", "Stripe-Version": "2024-06-20"},
    )
    assert response.status_code == 404
    assert response.headers["Stripe-Version"] == "2024-06-20"
    assert response.headers["Request-Id"].startswith("req_")
    assert set(response.json()["error"]) >= {"type", "code", "message", "param"}
    assert httpx.get(f"{api_base}/v1/charges").status_code == 401
    nowhere = httpx.get(f"{api_base}/v1/nothing", headers={"Authorization": f"Bearer {API_KEY}"})
    assert nowhere.status_code == 404 and nowhere.json()["error"]["type"] == "invalid_request_error"


def test_form_encoding_with_brackets_like_curl(api_base: str) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    created = httpx.post(
        f"{api_base}/v1/customers",
        content="name=Curl+Co&metadata[a]=1&expand[]=",
        headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert created.status_code == 200, created.text
    assert created.json()["metadata"] == {"a": "1"}


def test_idempotency_key_replays_the_same_response(
    client: stripe.StripeClient, sandbox: StripeSandbox
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "order-42-customer"}
    first = client.v1.customers.create(params={"name": "Once Ltd"}, options=options)
    again = client.v1.customers.create(params={"name": "Once Ltd"}, options=options)
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    listed = client.v1.customers.list(params={"email": "", "limit": 100})
    assert sum(1 for customer in listed.data if customer.name == "Once Ltd") == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"name": "Other Ltd"}, options=options)
