"""What an operator sees when Stripe events keep failing: /healthz says "degraded" (and
stays 200 for the load balancer), and every admin page shows a banner."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from config.celery import HEARTBEAT_CACHE_KEY
from subscriptions.models import StripeEvent

pytestmark = pytest.mark.django_db

EVENTS = "/admin/subscriptions/stripeevent/"


@pytest.fixture(autouse=True)
def _live_worker():
    cache.set(HEARTBEAT_CACHE_KEY, time.time())
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def _event(stripe_id: str, *, age: timedelta, **fields) -> StripeEvent:
    event = StripeEvent.objects.create(
        stripe_id=stripe_id,
        type="invoice.paid",
        object_id="in_1",
        stripe_created_at=timezone.now(),
        payload={"id": stripe_id},
        **fields,
    )
    StripeEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - age)
    return event


def test_healthz_is_ok_while_events_are_fresh_or_processed(client):
    _event("evt_fresh", age=timedelta(minutes=5), attempts=2)
    _event("evt_done", age=timedelta(days=2), processed_at=timezone.now())

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["backlog"] == {"ok": True, "stripe_events_stuck": 0, "emails_stuck": 0}


def test_healthz_reports_a_parked_or_long_failing_event_as_degraded_but_serves(client):
    _event("evt_parked", age=timedelta(days=4), attempts=20, next_attempt_at=None)
    _event("evt_failing", age=timedelta(hours=2), attempts=7)

    response = client.get("/healthz")

    assert response.status_code == 200, "readers are still served"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["backlog"]["stripe_events_stuck"] == 2
    assert body["database"]["ok"]


def test_every_admin_page_shows_the_banner_linking_to_the_stuck_events(admin_client):
    stuck = _event("evt_parked", age=timedelta(days=4), attempts=20, next_attempt_at=None)
    _event("evt_fresh", age=timedelta(minutes=1))

    for page in ("/admin/", "/admin/subscriptions/payment/", "/admin/auth/user/"):
        html = admin_client.get(page).content.decode()
        assert "1 Stripe event still unprocessed after an hour" in html, page
        assert f'href="{EVENTS}?attention=stuck"' in html, page

    listed = admin_client.get(EVENTS, {"attention": "stuck"}).context["cl"].result_list
    assert [event.stripe_id for event in listed] == [stuck.stripe_id]


def test_no_banner_when_nothing_is_stuck_and_none_for_readers(admin_client, client):
    _event("evt_fresh", age=timedelta(minutes=1))

    assert "still unprocessed" not in admin_client.get("/admin/").content.decode()
    _event("evt_parked", age=timedelta(days=4), next_attempt_at=None)
    assert "still unprocessed" not in client.get("/").content.decode()
