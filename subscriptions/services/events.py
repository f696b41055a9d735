"""Stripe events: stored the moment they arrive, processed once, never lost.

The webhook view stores a verified event, due at once, and answers; a Celery task
processes it (the relay in each worker, `subscriptions.event_relay`, sends the tasks of
due events). Processing runs the event's handler (see `subscriptions.stripe_events`) in
two steps: its Stripe calls first, outside any transaction, then its writes in one
transaction. A failure rolls the writes back, records the error on the event and books
the next attempt with exponential back-off (1 minute, doubling to 6 hours), spread over
three days as Stripe spreads its own retries; after that the event is parked for an
operator. The relay, and once a minute the sweeper, queue every event whose next attempt
has come, including those whose task never ran (the broker was down, a worker died). A
re-delivery by Stripe of an event we have not processed yet makes it due again at once.

Payloads are kept STRIPE_EVENT_PAYLOAD_RETENTION_DAYS, then cut to id, type and object id.
"""

import json
import logging
import traceback
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.event_relay import relay_enabled, tasks_send
from subscriptions.models import StripeEvent
from subscriptions.privacy import object_belongs_to_erased_supporter
from subscriptions.stripe_events import handler_for

logger = logging.getLogger(__name__)

# Once the relay or the sweeper has queued an event, it is due again this much later if
# its task has not processed it by then (the task was lost).
SWEEP_LEASE = timedelta(minutes=5)
# Back-off after a failure: 1 min, 2 min, 4 min … at most 6 hours between attempts …
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
# … for three days after the event arrived (as Stripe retries); then it is parked.
RETRY_WINDOW = timedelta(days=3)


class EventProcessingFailed(Exception):
    """Processing raised; the error is recorded on the event and its next attempt booked."""


class EventPayloadPruned(EventProcessingFailed):
    """The event's payload was pruned, so it cannot be processed any more."""


class Received(StrEnum):
    NEW = "new"
    REQUEUED = "requeued"  # known, not processed yet: queued again at once
    DUPLICATE = "duplicate"  # known and processed: nothing to do


@cache
def _insert_sql() -> str:
    """One INSERT that skips a known id: in autocommit it is the request's one round trip
    to the database (the ORM's create() would add BEGIN and COMMIT around it)."""
    meta = StripeEvent._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column[name]) for name in STORED_FIELDS)
    values = ", ".join("%s::jsonb" if name == "payload" else "%s" for name in STORED_FIELDS)
    return (
        # Names come from the model, values go as parameters.
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({values}) "
        f"ON CONFLICT ({quote(column['stripe_id'])}) DO NOTHING "
        f"RETURNING {quote(column['id'])}"
    )


@cache
def _requeue_sql() -> str:
    """Book a known, unprocessed event's next attempt; a processed one is left alone."""
    meta = StripeEvent._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    quote = connection.ops.quote_name
    return (
        # Names come from the model, values go as parameters.
        f"UPDATE {quote(meta.db_table)} SET {quote(column['next_attempt_at'])} = %s "  # noqa: S608
        f"WHERE {quote(column['stripe_id'])} = %s "
        f"AND {quote(column['processed_at'])} IS NULL "
        f"RETURNING {quote(column['id'])}"
    )


STORED_FIELDS = (
    "stripe_id",
    "type",
    "object_id",
    "customer_id",
    "api_version",
    "stripe_created_at",
    "payload",
    "received_at",
    "attempts",
    "last_error",
    "next_attempt_at",
)


def _store(cursor, *, event: gateway.VerifiedEvent, received_at: datetime) -> tuple:
    """The INSERT, and for a known id the UPDATE that books its next attempt. Both may run
    twice (see below): a second INSERT finds the row and a second UPDATE books the same."""
    cursor.execute(
        _insert_sql(),
        [
            event.id,
            event.type,
            event.object_id,
            event.customer_id,
            event.api_version,
            event.created,
            event.body or json.dumps(event.payload),
            received_at,
            0,
            "",
            # Due at once: a worker's relay finds it and sends its task.
            received_at,
        ],
    )
    row = cursor.fetchone()
    requeued = None
    if row is None:
        # Only a re-delivery pays a second statement.
        cursor.execute(_requeue_sql(), [received_at, event.id])
        requeued = cursor.fetchone()
    return row, requeued


def _statements_run_once_on_a_live_connection(statements):
    """Run `statements(cursor)` in autocommit without Django's per-request health check.

    With CONN_HEALTH_CHECKS, a request's first query on a kept connection is preceded by
    a `SELECT 1` round trip: for a webhook, whose one statement is the INSERT, that
    doubles its time in the database. So the check is skipped here, and a kept
    connection that turns out dead (PostgreSQL restarted since the last request) is
    closed and the statements run once more on a new connection, which is what the
    check would have led to. Running them twice is harmless: they are idempotent, and a
    first INSERT that did commit before its connection broke makes the second find the
    row. Inside a transaction (tests, callers' atomic blocks) nothing is skipped.
    """
    if connection.in_atomic_block or connection.connection is None:
        with connection.cursor() as cursor:
            return statements(cursor)
    # Django's own flag (BaseDatabaseWrapper, since 4.1), which django-stubs leaves out.
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        with connection.cursor() as cursor:
            return statements(cursor)
    except (OperationalError, InterfaceError):
        if connection.is_usable():
            raise  # the statement failed, not the connection
        logger.warning("A kept database connection was dead; storing the event on a new one")
        connection.close()
        with connection.cursor() as cursor:
            return statements(cursor)


def stripe_event_receive(*, event: gateway.VerifiedEvent) -> tuple[StripeEvent, Received]:
    """Store a verified event, its body as Stripe sent it, and queue it. A known id is
    queued again only while it is unprocessed (Stripe re-delivers because we have not
    acknowledged it as done); a processed one changes nothing."""
    received_at = timezone.now()
    row, requeued = _statements_run_once_on_a_live_connection(
        lambda cursor: _store(cursor, event=event, received_at=received_at)
    )
    if row is None:
        known = StripeEvent.objects.get(stripe_id=event.id)
        if requeued is None:
            return known, Received.DUPLICATE
        _task_send_without_relay(known.pk)
        return known, Received.REQUEUED
    stored = StripeEvent(
        pk=row[0],
        stripe_id=event.id,
        type=event.type,
        object_id=event.object_id,
        customer_id=event.customer_id,
        api_version=event.api_version,
        stripe_created_at=event.created,
        payload=event.payload,
        received_at=received_at,
        next_attempt_at=received_at,
    )
    _task_send_without_relay(stored.pk)
    return stored, Received.NEW


def _task_send_without_relay(event_pk: int) -> None:
    """With no relay (no Redis broker, or eager tasks), send the event's task after commit."""
    if not relay_enabled():
        transaction.on_commit(lambda: _enqueue(event_pk))


def next_attempt_after_failure(event: StripeEvent, *, now: datetime) -> datetime | None:
    """When to try again after the event's `attempts`-th failure; None once the next
    attempt would fall outside the retry window (the event is then parked)."""
    exponent = min(max(event.attempts - 1, 0), 20)
    delay = min(FIRST_RETRY * 2**exponent, MAX_RETRY)
    due = now + delay
    return due if due <= event.received_at + RETRY_WINDOW else None


def _enqueue(event_pk: int) -> bool:
    from subscriptions import tasks

    try:
        tasks.stripe_event_process.delay(event_pk)
    except Exception:
        # The event is stored; the sweeper will process it once the broker is back.
        logger.exception("Could not enqueue Stripe event %s; the sweeper will retry", event_pk)
        return False
    return True


def _refuse_pruned(event: StripeEvent) -> None:
    if event.payload_pruned_at is None:
        return
    message = (
        f"{event.type} {event.stripe_id} cannot be processed: its payload was pruned on "
        f"{event.payload_pruned_at:%Y-%m-%d} (payloads are kept "
        f"{settings.STRIPE_EVENT_PAYLOAD_RETENTION_DAYS} days), so only its id, type and "
        f"object id {event.object_id or '(none)'} remain. Look the object up at Stripe instead."
    )
    StripeEvent.objects.filter(pk=event.pk).update(last_error=message, next_attempt_at=None)
    raise EventPayloadPruned(message)


def stripe_event_process(*, event_pk: int, force: bool = False) -> StripeEvent:
    """Run the event's handler once. `force` runs it again even if it already ran."""
    event = StripeEvent.objects.get(pk=event_pk)
    if event.processed_at and not force:
        return event
    if event.payload_pruned_at and object_belongs_to_erased_supporter(event.object_id):
        # Pruned by an erasure before it ran: there is nothing of theirs left to update.
        StripeEvent.objects.filter(pk=event.pk).update(
            processed_at=timezone.now(), last_error="", next_attempt_at=None
        )
        event.refresh_from_db()
        return event
    _refuse_pruned(event)
    handler = handler_for(event.type)
    try:
        # Every Stripe call, before any transaction: no row is locked while we wait.
        facts = handler.fetch(event) if handler is not None else None
        with transaction.atomic():
            # Lock the row and read only what decides: not its payload a second time.
            locked = StripeEvent.objects.select_for_update().filter(pk=event_pk)
            processed_at, attempts = locked.values_list("processed_at", "attempts").get()
            if processed_at and not force:
                # Another worker finished it while we were fetching.
                event.processed_at, event.attempts = processed_at, attempts
                return event
            if handler is not None:
                handler.apply(facts)
            event.attempts = attempts + 1
            event.processed_at = timezone.now()
            event.last_error = ""
            event.next_attempt_at = None
            locked.update(
                attempts=event.attempts,
                processed_at=event.processed_at,
                last_error="",
                next_attempt_at=None,
            )
    except Exception as error:
        _failure_record(event_pk, error)
        raise EventProcessingFailed(f"{event.type} {event.stripe_id}: {error}") from error
    # After the commit, so that the handler's transaction takes no further locks.
    if object_belongs_to_erased_supporter(event.object_id):
        # Stripe still tells us about an erased supporter's objects: keep no trace.
        stripe_events_prune(events=StripeEvent.objects.filter(pk=event.pk))
    return event


def _failure_record(event_pk: int, error: Exception) -> None:
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        event.attempts = F("attempts") + 1
        event.last_error = "".join(traceback.format_exception(error))[-4000:]
        event.save(update_fields=["attempts", "last_error"])
        event.refresh_from_db(fields=["attempts"])
        if event.processed_at is None:
            event.next_attempt_at = next_attempt_after_failure(event, now=timezone.now())
            event.save(update_fields=["next_attempt_at"])
    if event.next_attempt_at is None and event.processed_at is None:
        logger.error(
            "Stripe event %s parked after %s attempts: replay it once the cause is fixed",
            event.stripe_id,
            event.attempts,
        )


def stripe_events_sweep(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Queue unprocessed events whose next attempt has come, the longest due first and at
    most `limit` of them; answer how many were queued.

    Each is booked a lease first (its next attempt SWEEP_LEASE later), so an event whose
    task waits in the queue is not queued again. If the tasks cannot be sent (the broker
    is down), the events are due again at once."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(processed_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        StripeEvent.objects.filter(pk__in=due).update(next_attempt_at=now + SWEEP_LEASE)
    if not due:
        return 0
    try:
        tasks_send(due)
    except Exception:
        logger.exception("Could not queue Stripe events %s; they are due again", due)
        StripeEvent.objects.filter(
            pk__in=due, processed_at__isnull=True, next_attempt_at=now + SWEEP_LEASE
        ).update(next_attempt_at=now)
        return 0
    return len(due)


def stripe_event_replay(*, stripe_id: str) -> StripeEvent:
    event = StripeEvent.objects.get(stripe_id=stripe_id)
    return stripe_event_process(event_pk=event.pk, force=True)


def stripe_event_payloads_prune(*, now: datetime | None = None) -> int:
    """Cut every payload older than the retention period to id, type and object id."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.STRIPE_EVENT_PAYLOAD_RETENTION_DAYS)
    old = StripeEvent.objects.filter(received_at__lt=cutoff, payload_pruned_at__isnull=True)
    return stripe_events_prune(events=old, now=now)


def stripe_events_prune(*, events: QuerySet[StripeEvent], now: datetime | None = None) -> int:
    """Cut these events' payloads to what identifies them; answer how many were cut."""
    return events.filter(payload_pruned_at__isnull=True).update(
        payload=JSONObject(
            id=F("stripe_id"),
            object=Value("event"),
            type=F("type"),
            data=JSONObject(object=JSONObject(id=F("object_id"))),
        ),
        payload_pruned_at=now or timezone.now(),
    )
