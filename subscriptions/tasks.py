"""Thin tasks: ids in, one service call. Safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from .services.events import EventProcessingFailed, stripe_event_process, stripe_events_sweep


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
    max_retries=5,
    name="subscriptions.send_manage_link",
)
def send_manage_link(self, supporter_id: int) -> None:
    from .emails import manage_link_email_send

    try:
        manage_link_email_send(supporter_id=supporter_id)
    except OSError as error:  # SMTP and network errors
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 900)) from error
