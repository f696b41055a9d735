"""Webhook delivery: Stripe's signature, event order, and retries after failures."""

import json
import urllib.error

import pytest
import stripe

from tests.stripe_sandbox.helpers import WEBHOOK_SECRET, Receiver, subscribe


def wait_for_deliveries(sandbox):
    counts = sandbox.control("POST", "/_sandbox/deliveries/wait", {"timeout": 20})
    assert counts["pending"] == 0
    return counts


def test_deliveries_verify_with_the_sdk_and_arrive_in_order(stripe_client, sandbox, receiver):
    subscribe(stripe_client)
    wait_for_deliveries(sandbox)
    events = [
        stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)
        for body, header in receiver.received
    ]
    types = [event.type for event in events]
    assert types[0] == "customer.created"
    assert types[-1] == "checkout.session.completed"
    assert types.index("invoice.created") < types.index("invoice.paid")
    stored = stripe_client.v1.events.list(params={"limit": 100}).data
    assert [event.id for event in events] == [event.id for event in reversed(stored)]
    completed = events[-1]
    assert completed.data.object.subscription.startswith("sub_")
    assert completed.api_version == stripe.api_version
    assert completed.livemode is False


def test_a_wrong_secret_does_not_verify(stripe_client, sandbox, receiver):
    stripe_client.v1.customers.create(params={"email": "x@example.org"})
    wait_for_deliveries(sandbox)
    body, header = receiver.received[0]
    try:
        stripe.Webhook.construct_event(body, header, "whsec_wrong")
    except stripe.SignatureVerificationError:
        pass
    else:
        raise AssertionError("a forged signature verified")
    assert json.loads(body)["type"] == "customer.created"


def test_updated_events_carry_previous_attributes(stripe_client, sandbox, receiver):
    session = subscribe(stripe_client)
    stripe_client.v1.subscriptions.update(
        session.subscription.id, params={"cancel_at_period_end": True}
    )
    wait_for_deliveries(sandbox)
    event = json.loads(receiver.received[-1][0])
    assert event["type"] == "customer.subscription.updated"
    assert event["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert event["request"]["id"].startswith("req_")


def test_a_failed_delivery_is_retried_and_logged(stripe_client, sandbox):
    receiver = Receiver(fail_first=1)
    try:
        sandbox.control(
            "POST", "/_sandbox/webhook_endpoints", {"url": receiver.url, "secret": WEBHOOK_SECRET}
        )
        customer = stripe_client.v1.customers.create(params={"email": "retry@example.org"})
        counts = wait_for_deliveries(sandbox)
        assert counts["delivered"] == 1
        assert len(receiver.received) == 1
        assert json.loads(receiver.received[0][0])["data"]["object"]["id"] == customer.id
        log = sandbox.control("GET", "/_sandbox/deliveries")["data"]
        assert [(entry["attempt"], entry["status"]) for entry in reversed(log)] == [
            (1, 500),
            (2, 200),
        ]
        assert {entry["event_type"] for entry in log} == {"customer.created"}
    finally:
        receiver.close()


def test_webhook_endpoints_api_upserts_by_url(sandbox):
    first = sandbox.control(
        "POST", "/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/hook", "secret": "a"}
    )
    second = sandbox.control(
        "POST", "/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/hook", "secret": "b"}
    )
    assert first["id"] == second["id"]
    listed = sandbox.control("GET", "/_sandbox/webhook_endpoints")["data"]
    assert [(e["url"], e["secret"]) for e in listed] == [("http://127.0.0.1:9/hook", "b")]


def test_stripe_webhook_endpoint_create_returns_a_secret_once(stripe_client):
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]}
    )
    assert endpoint.secret.startswith("whsec_")
    listed = stripe_client.v1.webhook_endpoints.list().data
    assert [(e.id, e.secret) for e in listed] == [(endpoint.id, None)]


def test_chaos_delivers_every_event_shuffled_and_some_twice_then_order_returns(
    stripe_client, sandbox, receiver
):
    sandbox.control(
        "POST",
        "/_sandbox/chaos",
        {"on": True, "seed": 7, "duplicate_share": 0.5, "late_seconds": 1},
    )
    try:
        created = [
            stripe_client.v1.customers.create(params={"email": f"c{n}@example.org"}).id
            for n in range(20)
        ]
        wait_for_deliveries(sandbox)
    finally:
        sandbox.control("POST", "/_sandbox/chaos", {"on": False})
    arrived = [
        stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET).data.object.id
        for body, header in receiver.received
    ]
    assert set(arrived) == set(created)
    assert len(arrived) > len(created), "some arrived twice"
    assert list(dict.fromkeys(arrived)) != created, "the order was shuffled"

    receiver.received.clear()
    calm = [stripe_client.v1.customers.create(params={}).id for _ in range(5)]
    wait_for_deliveries(sandbox)
    assert [json.loads(body)["data"]["object"]["id"] for body, _ in receiver.received] == calm


def test_chaos_settings_out_of_range_are_refused_with_a_sentence(sandbox):
    with pytest.raises(urllib.error.HTTPError) as refused:
        sandbox.control("POST", "/_sandbox/chaos", {"on": True, "duplicate_share": 2})
    assert refused.value.code == 400
    assert "between 0 and 1" in json.loads(refused.value.read())["error"]["message"]
    assert sandbox.control("GET", "/_sandbox/chaos")["on"] is False
