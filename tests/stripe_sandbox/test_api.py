"""Stripe's API conventions: auth, errors, idempotency, pagination, expansion."""

import base64
import json
import urllib.error

import pytest
import stripe

from tests.stripe_sandbox.helpers import api, monthly_session, pay, subscribe


def test_only_test_secret_keys_are_accepted(sandbox):
    for key in ("sk_live_abc", "pk_test_abc", ""):
        answer = api(sandbox, "GET", "/v1/customers", key=key)
        assert answer.status == 401
        assert answer.json()["error"]["type"] == "invalid_request_error"
    basic = base64.b64encode(b"sk_test_basic:").decode()
    answer = api(sandbox, "GET", "/v1/customers", headers={"Authorization": f"Basic {basic}"})
    assert answer.status == 200


def test_sdk_raises_authentication_error_for_a_live_key(sandbox):
    stripe_client = stripe.StripeClient("sk_live_nope", base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.AuthenticationError):
        stripe_client.v1.customers.list()


def test_missing_object_is_404_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.subscriptions.retrieve("sub_doesnotexist")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


def test_invalid_params_name_the_param(sandbox):
    answer = api(
        sandbox,
        "POST",
        "/v1/checkout/sessions",
        {
            "mode": "subscription",
            "success_url": "http://127.0.0.1/ok",
            "line_items[0][price_data][currency]": "eur",
            "line_items[0][price_data][unit_amount]": "500",
            "line_items[0][price_data][recurring][interval]": "fortnight",
            "line_items[0][price_data][product_data][name]": "x",
        },
    )
    assert answer.status == 400
    assert answer.json()["error"]["param"] == "line_items[0][price_data][recurring][interval]"


def test_refund_larger_than_the_charge_is_refused(stripe_client):
    session = subscribe(stripe_client)
    payment = session.subscription.latest_invoice.payments.data[0]
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.refunds.create(
            params={"payment_intent": payment.payment.payment_intent, "amount": 501}
        )
    assert raised.value.param == "amount"


def test_idempotent_replay_returns_the_same_answer(sandbox, stripe_client):
    form = {
        "mode": "subscription",
        "success_url": "http://127.0.0.1/ok",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "500",
        "line_items[0][price_data][recurring][interval]": "month",
        "line_items[0][price_data][product_data][name]": "Monthly",
    }
    key = {"Idempotency-Key": "contribution-123"}
    first = api(sandbox, "POST", "/v1/checkout/sessions", form, headers=key)
    second = api(sandbox, "POST", "/v1/checkout/sessions", form, headers=key)
    assert first.status == second.status == 200
    assert first.body == second.body
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(stripe_client.v1.checkout.sessions.list().data) == 1

    changed = api(sandbox, "POST", "/v1/checkout/sessions", form | {"mode": "payment"}, headers=key)
    assert changed.status == 400
    assert changed.json()["error"]["type"] == "idempotency_error"

    other_key = api(sandbox, "POST", "/v1/checkout/sessions", form, headers=key, key="sk_test_b")
    assert other_key.json()["id"] != first.json()["id"]


def test_sdk_idempotency_error(stripe_client):
    params = {"email": "a@example.org"}
    stripe_client.v1.customers.create(params=params, options={"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.create(
            params={"email": "b@example.org"}, options={"idempotency_key": "k1"}
        )


def test_lists_are_newest_first_and_paginate(stripe_client):
    created = [
        stripe_client.v1.customers.create(params={"email": f"c{n}@example.org"}) for n in range(5)
    ]
    newest_first = [c.id for c in reversed(created)]
    page = stripe_client.v1.customers.list(params={"limit": 2})
    assert [c.id for c in page.data] == newest_first[:2]
    assert page.has_more is True
    page = stripe_client.v1.customers.list(params={"limit": 2, "starting_after": page.data[-1].id})
    assert [c.id for c in page.data] == newest_first[2:4]
    last = stripe_client.v1.customers.list(params={"limit": 2, "starting_after": page.data[-1].id})
    assert [c.id for c in last.data] == newest_first[4:]
    assert last.has_more is False
    before = stripe_client.v1.customers.list(params={"limit": 2, "ending_before": newest_first[3]})
    assert [c.id for c in before.data] == newest_first[1:3]
    all_ids = [
        c.id for c in stripe_client.v1.customers.list(params={"limit": 1}).auto_paging_iter()
    ]
    assert all_ids == newest_first
    by_email = stripe_client.v1.customers.list(params={"email": "c3@example.org"})
    assert [c.id for c in by_email.data] == [created[3].id]


def test_every_list_filters_on_created_as_stripe_does(sandbox, stripe_client):
    early = stripe_client.v1.customers.create(params={"email": "early@example.org"})
    sandbox.control("POST", "/_sandbox/clock/advance", {"days": 2})
    late = [
        stripe_client.v1.customers.create(params={"email": f"late{n}@example.org"})
        for n in range(3)
    ]
    cut = early.created + 86400

    since = stripe_client.v1.customers.list(params={"created": {"gte": cut}, "limit": 2})
    every_since = [c.id for c in since.auto_paging_iter()]
    before = stripe_client.v1.customers.list(params={"created": {"lt": cut}})
    exactly = stripe_client.v1.customers.list(params={"created": early.created})

    assert every_since == [c.id for c in reversed(late)]
    assert [c.id for c in before.data] == [early.id]
    assert early.id in [c.id for c in exactly.data]
    assert late[0].id not in [c.id for c in exactly.data]
    for path in ("/v1/charges", "/v1/invoices", "/v1/refunds", "/v1/disputes", "/v1/payouts"):
        answer = api(sandbox, "GET", f"{path}?created[gte]={cut}")
        assert answer.status == 200, (path, answer.json())
    refused = api(sandbox, "GET", "/v1/customers?created[gte]=soon")
    assert refused.status == 400
    assert refused.json()["error"]["param"].startswith("created")


def test_expand_dotted_paths_and_list_data(stripe_client):
    session = subscribe(stripe_client)
    subscription = stripe_client.v1.subscriptions.retrieve(
        session.subscription.id,
        params={"expand": ["customer", "default_payment_method", "latest_invoice.payments"]},
    )
    assert subscription.customer.email == "reader@example.org"
    assert subscription.default_payment_method.card.last4 == "4242"
    assert subscription.latest_invoice.payments.data[0].status == "paid"
    charges = stripe_client.v1.charges.list(params={"expand": ["data.balance_transaction"]})
    transaction = charges.data[0].balance_transaction
    assert transaction.fee == 33  # 1.5% of 5.00 + 0.25 = 0.325, half up
    assert transaction.net == 467


def test_checkout_session_fields(stripe_client):
    session = monthly_session(stripe_client, metadata={"contribution_id": "9"})
    assert session.url.endswith(f"/checkout/{session.id}")
    assert session.status == "open"
    assert session.payment_status == "unpaid"
    assert len(session.id) > 60
    line_items = stripe_client.v1.checkout.sessions.line_items.list(session.id)
    assert line_items.data[0].amount_total == 500
    expired = stripe_client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    answer = pay(session)  # an expired session only shows a page and charges nothing
    assert answer.status == 409
    assert "expired" in answer.body
    assert stripe_client.v1.charges.list().data == []


def test_subscription_update_changes_amount_from_next_period(stripe_client, sandbox):
    session = subscribe(stripe_client)
    subscription = session.subscription
    item = subscription["items"].data[0]
    updated = stripe_client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [
                {
                    "id": item.id,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 900,
                        "recurring": {"interval": "month"},
                        "product": item.price.product,
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    assert updated["items"].data[0].price.unit_amount == 900
    assert updated["items"].data[0].current_period_end == item.current_period_end
    assert len(stripe_client.v1.invoices.list(params={"subscription": subscription.id}).data) == 1
    sandbox.control("POST", "/_sandbox/clock/advance", {"days": 32})
    invoices = stripe_client.v1.invoices.list(params={"subscription": subscription.id}).data
    assert [(i.billing_reason, i.amount_paid) for i in invoices] == [
        ("subscription_cycle", 900),
        ("subscription_create", 500),
    ]


def test_interval_switch_bills_the_new_interval_now(stripe_client):
    session = subscribe(stripe_client)
    item = session.subscription["items"].data[0]
    updated = stripe_client.v1.subscriptions.update(
        session.subscription.id,
        params={
            "items": [
                {
                    "id": item.id,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 5000,
                        "recurring": {"interval": "year"},
                        "product": item.price.product,
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    new_item = updated["items"].data[0]
    assert new_item.price.recurring.interval == "year"
    assert new_item.current_period_end - new_item.current_period_start >= 365 * 86400
    invoice = stripe_client.v1.invoices.retrieve(updated.latest_invoice)
    assert (invoice.billing_reason, invoice.amount_paid) == ("subscription_update", 5000)


def test_an_outage_answers_500_to_the_api_for_its_seconds_and_changes_nothing(
    stripe_client, sandbox
):
    state = sandbox.control("POST", "/_sandbox/outage", {"seconds": 30})
    assert (state["on"], state["status"]) == (True, 500)
    with pytest.raises(stripe.APIError) as raised:
        stripe_client.v1.customers.create({"email": "outage@example.org"})
    assert raised.value.http_status == 500
    # The control API and the clock still answer; nothing was created.
    assert sandbox.control("GET", "/_sandbox/outage")["on"]
    assert sandbox.control("POST", "/_sandbox/outage", {"seconds": 0})["on"] is False
    assert stripe_client.v1.customers.list({"email": "outage@example.org"}).data == []
    stripe_client.v1.customers.create({"email": "outage@example.org"})


def test_an_outage_out_of_range_is_refused_with_a_sentence(sandbox):
    cases = [({"seconds": -1}, "seconds"), ({"seconds": "soon"}, "seconds")]
    cases.append(({"seconds": 5, "status": 404}, "status"))
    for body, param in cases:
        with pytest.raises(urllib.error.HTTPError) as refused:
            sandbox.control("POST", "/_sandbox/outage", body)
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["error"]["param"] == param
    assert sandbox.control("GET", "/_sandbox/outage")["on"] is False
