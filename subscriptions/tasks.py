"""Thin tasks: ids in, one service call. Each is harmless when it runs twice.

A task has its service's name, and calls it through its module: `tasks.outbox_email_send`
runs `outbox.outbox_email_send`.
"""

import logging
from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from . import event_relay
from .reports import background, comparison, sync
from .services import events, manage, outbox, payouts, reminders

logger = logging.getLogger(__name__)


class EmailsQueueTask(Task[Any, Any]):
    """A task that sends email: the router (CELERY_TASK_ROUTES) puts it on the "emails"
    queue, so a flood of emails never delays Stripe events."""

    queue_name = "emails"


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=7,
    name="subscriptions.stripe_event_process",
)
def stripe_event_process(self, event_pk: int) -> str:
    try:
        events.stripe_event_process(event_pk=event_pk)
    except events.EventProcessingFailed:
        # Recorded on the event with its next attempt: the sweeper queues it then.
        logger.warning("Stripe event %s failed; its next attempt is booked", event_pk)
        return "failed"
    except DatabaseError as error:
        # Nothing could be recorded: retry soon (10 s, 20 s, 40 s … at most 10 minutes).
        raise self.retry(exc=error, countdown=min(10 * 2**self.request.retries, 600)) from error
    return "processed"


@shared_task(name="subscriptions.stripe_events_sweep")
def stripe_events_sweep() -> int:
    # With relays running, sweep as they do: never more than the broker's queue has room
    # for, or a backlog would be queued at once and outlive its leases.
    if event_relay.relay_enabled():
        return event_relay.relay_once()
    return events.stripe_events_sweep()


@shared_task(name="subscriptions.stripe_event_payloads_prune")
def stripe_event_payloads_prune() -> int:
    return events.stripe_event_payloads_prune()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the outbox row counts attempts and gives up by itself
    name="subscriptions.outbox_email_send",
    base=EmailsQueueTask,
)
def outbox_email_send(self, email_id: int) -> str:
    try:
        return outbox.outbox_email_send(email_id=email_id)
    except outbox.TransientSendFailure as failure:
        raise self.retry(exc=failure, countdown=failure.retry_in) from failure


@shared_task(name="subscriptions.outbox_sweep")
def outbox_sweep() -> int:
    return outbox.outbox_sweep()


@shared_task(name="subscriptions.card_expiry_scan")
def card_expiry_scan() -> int:
    return reminders.card_expiry_scan()


@shared_task(name="subscriptions.win_back_scan")
def win_back_scan() -> int:
    return reminders.win_back_scan()


@shared_task(name="subscriptions.year_end_statements_send", base=EmailsQueueTask)
def year_end_statements_send() -> int:
    return reminders.year_end_statements_send()


@shared_task(name="subscriptions.payouts_reconcile_pending")
def payouts_reconcile_pending() -> int:
    return payouts.payouts_reconcile_pending()


@shared_task(name="subscriptions.manage_link_send", base=EmailsQueueTask)
def manage_link_send(email: str) -> bool:
    return manage.manage_link_send(email=email)


@shared_task(name="subscriptions.ledger_nightly")
def ledger_nightly() -> dict[str, int]:
    return sync.ledger_nightly()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    name="subscriptions.report_export_run",
    time_limit=3600,
    soft_time_limit=3500,
)
def report_export_run(export_id: int) -> str:
    return background.report_export_run(export_id=export_id)


@shared_task(name="subscriptions.report_exports_prune")
def report_exports_prune() -> int:
    return background.report_exports_prune()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    name="subscriptions.stripe_report_comparison_run",
)
def stripe_report_comparison_run(comparison_id: int) -> str:
    return comparison.stripe_report_comparison_run(comparison_id=comparison_id)


@shared_task(name="subscriptions.stripe_report_comparison_daily")
def stripe_report_comparison_daily() -> str:
    return comparison.stripe_report_comparison_daily()
