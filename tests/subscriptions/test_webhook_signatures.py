import json
import time

import pytest

from subscriptions.models import StripeEvent
from tests.gifts import post_event, sign

pytestmark = pytest.mark.django_db


def _event(event_id: str = "evt_test_1", event_type: str = "customer.created") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": {"id": "cus_test_1", "object": "customer", "email": "a@example.org"}},
    }


def test_a_signed_event_is_stored_and_acknowledged(client):
    response = post_event(client, _event())

    assert response.status_code == 200
    assert response.json() == {"received": "evt_test_1", "duplicate": False, "requeued": False}
    stored = StripeEvent.objects.get(stripe_id="evt_test_1")
    assert stored.type == "customer.created"
    assert stored.payload["data"]["object"]["email"] == "a@example.org"


def test_an_unknown_event_type_is_stored_and_marked_processed(
    client, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, _event(event_type="customer.tax_id.created"))

    stored = StripeEvent.objects.get(stripe_id="evt_test_1")
    assert stored.processed_at is not None
    assert stored.last_error == ""


def test_the_same_event_twice_is_stored_once(client):
    post_event(client, _event())
    response = post_event(client, _event())

    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert StripeEvent.objects.count() == 1


def test_a_wrong_secret_is_rejected_and_stores_nothing(client):
    response = post_event(client, _event(), secret="whsec_someone_else")

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_stale_signature_is_rejected(client):
    response = post_event(client, _event(), timestamp=int(time.time()) - 600)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_body_changed_after_signing_is_rejected(client):
    body = json.dumps(_event()).encode()
    header = sign(body)
    tampered = body.replace(b"a@example.org", b"b@example.org")

    response = client.post(
        "/stripe/webhook/",
        data=tampered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_missing_signature_is_rejected(client):
    response = client.post(
        "/stripe/webhook/", data=json.dumps(_event()), content_type="application/json"
    )

    assert response.status_code == 400


def test_a_huge_body_is_refused_before_anything_else(client):
    event = _event()
    event["data"]["object"]["padding"] = "x" * 600_000

    response = post_event(client, event)

    assert response.status_code == 413
    assert StripeEvent.objects.count() == 0


def test_get_is_not_allowed(client):
    assert client.get("/stripe/webhook/").status_code == 405


def test_during_a_secret_rotation_events_signed_with_either_secret_are_accepted(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_new_one, whsec_old_one"

    by_old = post_event(client, _event("evt_old"), secret="whsec_old_one")
    by_new = post_event(client, _event("evt_new"), secret="whsec_new_one")
    by_neither = post_event(client, _event("evt_other"), secret="whsec_someone_else")

    assert (by_old.status_code, by_new.status_code, by_neither.status_code) == (200, 200, 400)
    assert set(StripeEvent.objects.values_list("stripe_id", flat=True)) == {"evt_old", "evt_new"}


def test_after_the_rotation_the_old_secret_is_refused(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_new_one"

    response = post_event(client, _event("evt_late"), secret="whsec_old_one")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_with_no_secret_set_nothing_is_trusted(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = " , "

    response = post_event(client, _event("evt_unsigned"), secret="")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
