"""Processing failures are recorded, retried and replayable; nothing is lost."""

import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from subscriptions.models import StripeEvent
from subscriptions.services.events import stripe_events_sweep
from tests.gifts import post_event

pytestmark = pytest.mark.django_db


def _invoice_paid(invoice_id: str) -> dict:
    return {
        "id": "evt_missing_invoice",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "invoice.paid",
        "data": {"object": {"id": invoice_id, "object": "invoice"}},
    }


def test_a_failing_event_is_recorded_retried_and_still_answered_200(
    client, stripe_settings, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, _invoice_paid("in_does_not_exist"))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert event.attempts > 1, "the task retried"
    assert "in_does_not_exist" in event.last_error


def test_replay_reports_a_failure_in_a_sentence(stripe_settings):
    StripeEvent.objects.create(
        stripe_id="evt_missing_invoice",
        type="invoice.paid",
        stripe_created_at="2026-11-27T00:00:00Z",
        payload=_invoice_paid("in_does_not_exist"),
    )

    with pytest.raises(CommandError, match="Processing failed again"):
        call_command("replay_stripe_event", "evt_missing_invoice")
    with pytest.raises(CommandError, match="No stored event"):
        call_command("replay_stripe_event", "evt_never_received")


def test_the_sweeper_requeues_events_stored_while_the_broker_was_down(
    stripe_settings, celery_eager
):
    # Stored, but its task was never sent (the broker was down at that moment).
    StripeEvent.objects.create(
        stripe_id="evt_unknown_kind",
        type="customer.tax_id.created",
        stripe_created_at="2026-11-27T00:00:00Z",
        payload=_invoice_paid("in_x") | {"type": "customer.tax_id.created"},
    )
    assert stripe_events_sweep(older_than=timedelta(0)) == 1

    assert StripeEvent.objects.get().processed_at is not None
    assert stripe_events_sweep(older_than=timedelta(0)) == 0
