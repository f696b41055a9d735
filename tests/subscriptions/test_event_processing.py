"""Processing failures are recorded, retried and replayable; nothing is lost."""

import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from subscriptions.models import StripeEvent
from subscriptions.services.events import (
    RETRY_WINDOW,
    stripe_event_payloads_prune,
    stripe_event_process,
    stripe_events_sweep,
)
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


def test_a_failing_event_is_recorded_with_its_next_attempt_and_still_answered_200(
    client, stripe_settings, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, _invoice_paid("in_does_not_exist"))

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert event.attempts == 1
    assert "in_does_not_exist" in event.last_error
    wait = event.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)


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
    assert stripe_events_sweep() == 1

    assert StripeEvent.objects.get().processed_at is not None
    assert stripe_events_sweep() == 0


def _failing_event(**fields) -> StripeEvent:
    return StripeEvent.objects.create(
        stripe_id="evt_missing_invoice",
        type="invoice.paid",
        object_id="in_does_not_exist",
        stripe_created_at=timezone.now(),
        payload=_invoice_paid("in_does_not_exist"),
        **fields,
    )


def _fail_once(event: StripeEvent) -> StripeEvent:
    with pytest.raises(Exception, match="in_does_not_exist"):
        stripe_event_process(event_pk=event.pk)
    event.refresh_from_db()
    return event


def test_the_sweeper_queues_a_failing_event_only_when_its_back_off_has_passed(
    stripe_settings, celery_eager
):
    event = _fail_once(_failing_event())
    first_wait = event.next_attempt_at

    # Within the minute of back-off the sweeper leaves it alone, however often it runs.
    assert stripe_events_sweep() == 0
    assert stripe_events_sweep(now=first_wait - timedelta(seconds=1)) == 0
    assert StripeEvent.objects.get().attempts == 1

    # Once due, it is queued (and fails again): the next wait doubles.
    assert stripe_events_sweep(now=first_wait) == 1
    event.refresh_from_db()
    assert event.attempts == 2
    wait = event.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < wait <= timedelta(minutes=2)


def test_failing_for_three_days_parks_the_event_and_the_sweeper_stops(
    stripe_settings, celery_eager
):
    event = _failing_event(attempts=19)
    StripeEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - RETRY_WINDOW + timedelta(hours=1)
    )

    event = _fail_once(event)

    assert event.attempts == 20
    assert event.next_attempt_at is None, "parked: the next attempt would be past 3 days"
    assert event.is_parked
    assert stripe_events_sweep(now=timezone.now() + timedelta(days=30)) == 0


def test_back_off_grows_from_a_minute_to_hours_and_spans_about_three_days(
    stripe_settings, celery_eager
):
    event = _failing_event()
    start = event.received_at
    waits = []
    while True:
        event = _fail_once(event)
        if event.next_attempt_at is None:
            break
        waits.append(event.next_attempt_at - timezone.now())
        # As if the time of the next attempt had come: the event is that much older.
        StripeEvent.objects.filter(pk=event.pk).update(received_at=event.received_at - waits[-1])
        event.refresh_from_db()

    assert [round(wait.total_seconds() / 60) for wait in waits[:4]] == [1, 2, 4, 8]
    assert round(max(waits).total_seconds() / 3600) == 6
    spanned = start - event.received_at
    assert timedelta(days=2, hours=12) < spanned <= RETRY_WINDOW
    assert 15 < event.attempts < 30


def test_stripe_redelivering_an_unprocessed_event_queues_it_again(
    client, stripe_settings, celery_eager, django_capture_on_commit_callbacks
):
    payload = _invoice_paid("in_x") | {"id": "evt_parked", "type": "customer.tax_id.created"}
    StripeEvent.objects.create(
        stripe_id="evt_parked",
        type="customer.tax_id.created",
        stripe_created_at=timezone.now(),
        payload=payload,
        attempts=20,
        next_attempt_at=None,
        last_error="Stripe was down",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, payload)

    assert response.status_code == 200
    assert response.json() == {"received": "evt_parked", "duplicate": True, "requeued": True}
    event = StripeEvent.objects.get()
    assert event.processed_at is not None
    assert event.last_error == ""

    with django_capture_on_commit_callbacks(execute=True):
        again = post_event(client, payload)
    assert again.json() == {"received": "evt_parked", "duplicate": True, "requeued": False}
    assert StripeEvent.objects.get().attempts == event.attempts


def test_payloads_older_than_the_retention_are_cut_to_id_type_and_object(settings):
    settings.STRIPE_EVENT_PAYLOAD_RETENTION_DAYS = 30
    payload = _invoice_paid("in_1") | {"id": "evt_old"}
    payload["data"]["object"]["customer_email"] = "reader@example.org"
    old = StripeEvent.objects.create(
        stripe_id="evt_old",
        type="invoice.paid",
        object_id="in_1",
        stripe_created_at=timezone.now(),
        payload=payload,
    )
    recent = StripeEvent.objects.create(
        stripe_id="evt_recent",
        type="invoice.paid",
        object_id="in_1",
        stripe_created_at=timezone.now(),
        payload=payload | {"id": "evt_recent"},
    )
    StripeEvent.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    StripeEvent.objects.filter(pk=recent.pk).update(received_at=timezone.now() - timedelta(days=29))

    assert stripe_event_payloads_prune() == 1
    assert stripe_event_payloads_prune() == 0

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.payload == {
        "id": "evt_old",
        "object": "event",
        "type": "invoice.paid",
        "data": {"object": {"id": "in_1"}},
    }
    assert old.payload_pruned_at is not None
    assert recent.payload["data"]["object"]["customer_email"] == "reader@example.org"

    settings.STRIPE_EVENT_PAYLOAD_RETENTION_DAYS = 7
    assert stripe_event_payloads_prune() == 1


def test_replaying_a_pruned_event_says_it_was_pruned(stripe_settings):
    event = _failing_event()
    StripeEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(days=40))
    stripe_event_payloads_prune()

    with pytest.raises(CommandError, match="its payload was pruned on .* in_does_not_exist"):
        call_command("replay_stripe_event", "evt_missing_invoice")


def test_an_event_an_erasure_pruned_before_it_ran_is_done_not_parked():
    from subscriptions.services.events import stripe_event_process
    from tests.factories import ContributionFactory

    contribution = ContributionFactory(stripe_customer_id="cus_erased_reader")
    contribution.supporter.erased_at = timezone.now()
    contribution.supporter.save(update_fields=["erased_at"])
    event = StripeEvent.objects.create(
        stripe_id="evt_customer_deleted",
        type="customer.deleted",
        object_id="cus_erased_reader",
        stripe_created_at=timezone.now(),
        payload={"id": "evt_customer_deleted", "data": {"object": {"id": "cus_erased_reader"}}},
        payload_pruned_at=timezone.now(),
    )

    processed = stripe_event_process(event_pk=event.pk)

    assert processed.processed_at is not None
    assert (processed.last_error, processed.next_attempt_at) == ("", None)


def test_an_event_waiting_in_a_long_queue_is_queued_again_only_after_the_lease(
    stripe_settings, monkeypatch
):
    from subscriptions.services import events
    from subscriptions.services.events import SWEEP_LEASE

    # The broker's side: tasks are queued, and no worker has reached them yet.
    queued: list[int] = []
    monkeypatch.setattr(events, "tasks_send", queued.extend)
    event = _failing_event(next_attempt_at=timezone.now())
    now = timezone.now()

    counts = [
        stripe_events_sweep(now=now),
        stripe_events_sweep(now=now + timedelta(minutes=1)),
        stripe_events_sweep(now=now + SWEEP_LEASE - timedelta(seconds=1)),
        stripe_events_sweep(now=now + SWEEP_LEASE),
    ]

    assert counts == [1, 0, 0, 1]
    assert queued == [event.pk, event.pk]


def test_an_event_the_broker_refused_is_due_again_at_the_next_sweep(stripe_settings, monkeypatch):
    from subscriptions.services import events

    def broker_down(event_pks):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(events, "tasks_send", broker_down)
    event = _failing_event(next_attempt_at=timezone.now())
    now = timezone.now()

    assert stripe_events_sweep(now=now) == 0
    event.refresh_from_db()
    assert event.next_attempt_at == now
    assert event.processed_at is None
