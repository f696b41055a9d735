"""Stripe events: stored the moment they arrive, processed once, never lost.

The webhook view stores a verified event and answers at once; a Celery task processes it
after commit. Processing runs the event's handler (see `subscriptions.stripe_events`) in
two steps: its Stripe calls first, outside any transaction, then its writes in one
transaction. A failure rolls the writes back, records the error on the event and raises
so the task is retried. A sweeper picks up events whose task never ran (the broker was
down when they arrived).
"""

import json
import logging
import traceback
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import StripeEvent
from subscriptions.stripe_events import handler_for

logger = logging.getLogger(__name__)

# After this many failed attempts an event waits for an operator (replay_stripe_event).
MAX_ATTEMPTS = 8


class EventProcessingFailed(Exception):
    """Processing raised; the error is recorded on the event and the task should retry."""


def _insert_sql() -> str:
    """One INSERT that skips a known id: in autocommit it is the request's one round trip
    to the database (the ORM's create() would add BEGIN and COMMIT around it)."""
    meta = StripeEvent._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column[name]) for name in STORED_FIELDS)
    return (
        # Names come from the model, values go as parameters.
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s) "
        f"ON CONFLICT ({quote(column['stripe_id'])}) DO NOTHING "
        f"RETURNING {quote(column['id'])}"
    )


STORED_FIELDS = (
    "stripe_id",
    "type",
    "object_id",
    "api_version",
    "stripe_created_at",
    "payload",
    "received_at",
    "attempts",
    "last_error",
)


def stripe_event_receive(*, event: gateway.VerifiedEvent) -> tuple[StripeEvent, bool]:
    """Store a verified event, its body as Stripe sent it; answer (event, created). A known
    id changes nothing."""
    received_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_sql(),
            [
                event.id,
                event.type,
                event.object_id,
                event.api_version,
                event.created,
                event.body or json.dumps(event.payload),
                received_at,
                0,
                "",
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return StripeEvent.objects.get(stripe_id=event.id), False
    stored = StripeEvent(
        pk=row[0],
        stripe_id=event.id,
        type=event.type,
        object_id=event.object_id,
        api_version=event.api_version,
        stripe_created_at=event.created,
        payload=event.payload,
        received_at=received_at,
    )
    stored_pk = stored.pk
    transaction.on_commit(lambda: _enqueue(stored_pk))
    return stored, True


def _enqueue(event_pk: int) -> None:
    from subscriptions import tasks

    try:
        tasks.stripe_event_process.delay(event_pk)
    except Exception:
        # The event is stored; the sweeper will process it once the broker is back.
        logger.exception("Could not enqueue Stripe event %s; the sweeper will retry", event_pk)


def stripe_event_process(*, event_pk: int, force: bool = False) -> StripeEvent:
    """Run the event's handler once. `force` runs it again even if it already ran."""
    event = StripeEvent.objects.get(pk=event_pk)
    if event.processed_at and not force:
        return event
    handler = handler_for(event.type)
    try:
        # Every Stripe call, before any transaction: no row is locked while we wait.
        facts = handler.fetch(event) if handler is not None else None
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(pk=event_pk)
            if event.processed_at and not force:
                return event  # another worker finished it while we were fetching
            if handler is not None:
                handler.apply(facts)
            event.attempts += 1
            event.processed_at = timezone.now()
            event.last_error = ""
            event.save(update_fields=["attempts", "last_error", "processed_at"])
            return event
    except Exception as error:
        StripeEvent.objects.filter(pk=event_pk).update(
            attempts=F("attempts") + 1,
            last_error="".join(traceback.format_exception(error))[-4000:],
        )
        raise EventProcessingFailed(f"{event.type} {event.stripe_id}: {error}") from error


def stripe_events_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Enqueue every unprocessed event that has waited too long; answer how many."""
    cutoff = timezone.now() - older_than
    pending = StripeEvent.objects.filter(
        processed_at__isnull=True, received_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True)
    count = 0
    for event_pk in pending.iterator():
        _enqueue(event_pk)
        count += 1
    return count


def stripe_event_replay(*, stripe_id: str) -> StripeEvent:
    event = StripeEvent.objects.get(stripe_id=stripe_id)
    return stripe_event_process(event_pk=event.pk, force=True)
