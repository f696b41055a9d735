"""The registry of Stripe event handlers, the object id staff search by, and handlers
that make their Stripe calls before they lock anything."""

import importlib
import threading
import time
import typing

import pytest
from django.apps import apps
from django.db import connection, transaction
from stripe.params._webhook_endpoint_create_params import WebhookEndpointCreateParams

from subscriptions.models import Contribution, StripeEvent
from subscriptions.services.events import EventProcessingFailed, stripe_event_process
from subscriptions.stripe_events import handled_event_types, handler_for
from tests.gifts import post_event

pytestmark = pytest.mark.django_db

# What the site acts on; the webhook endpoint subscribes to exactly these.
EXPECTED_TYPES = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "invoice.upcoming",
    "subscription_schedule.created",
    "subscription_schedule.updated",
    "subscription_schedule.released",
    "subscription_schedule.canceled",
    "charge.refunded",
    "refund.updated",
    "refund.failed",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "payout.paid",
    "payout.reconciliation_completed",
    "payout.failed",
    "payout.canceled",
}


def _event(event_type: str, obj: dict, *, event_id: str = "evt_registry_test") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def test_every_handled_type_has_a_fetch_and_an_apply_step_and_is_one_stripe_sends():
    stripe_types = set(
        typing.get_args(
            typing.get_args(WebhookEndpointCreateParams.__annotations__["enabled_events"])[0]
        )
    )

    assert set(handled_event_types()) == EXPECTED_TYPES
    assert handled_event_types() == sorted(handled_event_types())
    for event_type in handled_event_types():
        assert event_type in stripe_types, event_type
        handler = handler_for(event_type)
        assert callable(handler.fetch), event_type
        assert callable(handler.apply), event_type
    assert handler_for("customer.tax_id.created") is None


def test_an_event_of_a_type_we_do_not_handle_is_stored_and_marked_processed(
    client, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(
            client, _event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})
        )

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.type == "customer.tax_id.created"
    assert event.processed_at is not None
    assert event.attempts == 1
    assert event.last_error == ""


def test_staff_find_every_event_of_one_object_by_its_id(client, admin_client):
    post_event(client, _event("charge.updated", {"id": "ch_wanted", "object": "charge"}))
    post_event(
        client,
        _event("charge.captured", {"id": "ch_wanted", "object": "charge"}, event_id="evt_two"),
    )
    post_event(
        client,
        _event("charge.updated", {"id": "ch_other", "object": "charge"}, event_id="evt_other"),
    )

    assert set(StripeEvent.objects.values_list("object_id", flat=True)) == {
        "ch_wanted",
        "ch_other",
    }
    page = admin_client.get("/admin/subscriptions/stripeevent/", {"q": "ch_wanted"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "evt_registry_test" in html
    assert "evt_two" in html
    assert "evt_other" not in html


def test_events_stored_before_the_object_id_existed_get_it_from_their_payload():
    migration = importlib.import_module("subscriptions.migrations.0003_stripe_event_object_id")
    old = StripeEvent.objects.create(
        stripe_id="evt_old",
        type="customer.subscription.updated",
        stripe_created_at="2026-11-01T00:00:00Z",
        payload=_event("customer.subscription.updated", {"id": "sub_old"}),
    )
    pruned = StripeEvent.objects.create(
        stripe_id="evt_pruned",
        type="invoice.paid",
        stripe_created_at="2026-10-01T00:00:00Z",
        payload={},
    )

    migration.fill_object_ids(apps, None)

    old.refresh_from_db()
    pruned.refresh_from_db()
    assert old.object_id == "sub_old"
    assert pruned.object_id == ""


class _RowLockedElsewhere:
    """Another connection (a staff action, another worker) holds the row's lock."""

    def __init__(self, contribution: Contribution) -> None:
        self.pk = contribution.pk
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        from django.db import connection as own_connection

        try:
            with transaction.atomic():
                Contribution.objects.select_for_update().get(pk=self.pk)
                self.locked.set()
                self.release.wait(timeout=60)
        finally:
            own_connection.close()

    def __enter__(self) -> "_RowLockedElsewhere":
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self.thread.join(timeout=10)


def test_a_handler_asks_stripe_before_it_waits_for_a_locked_row(site):
    site.give()
    contribution = Contribution.objects.get()
    event = StripeEvent.objects.create(
        stripe_id="evt_while_locked",
        type="customer.subscription.updated",
        object_id=contribution.stripe_subscription_id,
        stripe_created_at="2026-11-27T00:00:00Z",
        payload=_event(
            "customer.subscription.updated", {"id": contribution.stripe_subscription_id}
        ),
    )
    handler = handler_for(event.type)
    with connection.cursor() as cursor:
        # Waiting for a lock fails after a second instead of hanging the test.
        cursor.execute("SET lock_timeout = '1s'")
    try:
        with _RowLockedElsewhere(contribution):
            # Every Stripe call completes while the row is locked: none waits on it.
            facts = handler.fetch(event)
            assert facts.subscription.id == contribution.stripe_subscription_id
            assert facts.subscription.status == "active"
            # Only the writes wait for the lock; the failure is recorded for a retry.
            with pytest.raises(EventProcessingFailed, match="lock timeout"):
                stripe_event_process(event_pk=event.pk)
            event.refresh_from_db()
            assert event.processed_at is None
            assert event.attempts == 1

        stripe_event_process(event_pk=event.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.attempts == 2
