"""Thin tasks: ids in, one service call. Each is harmless when it runs twice."""

from celery import shared_task
from django.db import DatabaseError

from .services import reminders
from .services.events import EventProcessingFailed, stripe_event_process, stripe_events_sweep
from .services.outbox import TransientSendFailure, outbox_email_send, outbox_sweep


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=7,
    name="subscriptions.process_stripe_event",
)
def process_stripe_event(self, event_pk: int) -> None:
    try:
        stripe_event_process(event_pk=event_pk)
    except (EventProcessingFailed, DatabaseError) as error:
        # 10 s, 20 s, 40 s … about 20 minutes in all; then the sweeper and operators.
        raise self.retry(exc=error, countdown=min(10 * 2**self.request.retries, 600)) from error


@shared_task(name="subscriptions.sweep_stripe_events")
def sweep_stripe_events() -> int:
    return stripe_events_sweep()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the outbox row counts attempts and gives up by itself
    name="subscriptions.send_outbox_email",
    queue_name="emails",  # a flood of emails never delays Stripe events
)
def send_outbox_email(self, email_id: int) -> str:
    try:
        return outbox_email_send(email_id=email_id)
    except TransientSendFailure as failure:
        raise self.retry(exc=failure, countdown=failure.retry_in) from failure


@shared_task(name="subscriptions.sweep_outbox")
def sweep_outbox() -> int:
    return outbox_sweep()


@shared_task(name="subscriptions.scan_card_expiry")
def scan_card_expiry() -> int:
    return reminders.card_expiry_scan()


@shared_task(name="subscriptions.scan_win_back")
def scan_win_back() -> int:
    return reminders.win_back_scan()


@shared_task(name="subscriptions.send_year_end_statements", queue_name="emails")
def send_year_end_statements() -> int:
    return reminders.year_end_statements_send()
