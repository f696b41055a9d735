"""Rebuild our records of a period from Stripe: after a long outage, lost webhooks, or a
restore from an older backup.

Every object Stripe created in the period (checkout sessions, customers, subscriptions,
invoices, charges, refunds, disputes, payouts, balance transactions) is listed, and every
plan we believe is still running is asked about too (an ending or a change of an older plan
is not a new object). Each is then re-read and applied by the handler of the webhook that
reports it (`subscriptions.stripe_events`), so a resync is a replay of what was missed:
it creates what is missing, corrects what differs and doubles nothing, since the handlers
are idempotent and the outbox holds one email per fact. A receipt already in the outbox is
never queued again; one for a payment we never recorded is.

A dry run applies everything inside a transaction, records what changed, and rolls it all
back (emails included: they are queued only on commit).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import (
    AuditAction,
    Contribution,
    EmailStatus,
    OutboxEmail,
    Payment,
    StripeEvent,
)
from subscriptions.reports.sync import balance_transactions_record
from subscriptions.stripe_events import handler_for
from subscriptions.stripe_events.money import payment_record
from subscriptions.stripe_events.subscriptions import ENDED_STATUSES

from .audit import audit_record
from .changes import ChangeLog, RowChange, changes_recorded

logger = logging.getLogger(__name__)

# The webhook whose handler re-reads and applies each kind of object, by its status.
EVENT_TYPES: dict[str, dict[str, str]] = {
    "checkout_session": {
        "complete": "checkout.session.completed",
        "expired": "checkout.session.expired",
    },
    "subscription": {"*": "customer.subscription.updated"},
    "invoice": {"paid": "invoice.paid"},
    "charge": {"succeeded": "charge.refunded"},
    "refund": {"*": "refund.updated"},
    "dispute": {"*": "charge.dispute.updated"},
    "payout": {"*": "payout.paid"},
}
# Applied in this order: who gave, then their plans, then money, then payouts.
ORDER = ("checkout_session", "subscription", "invoice", "charge", "refund", "dispute", "payout")
HELD_EMAIL_NOTE = (
    "Held by stripe_resync --hold-emails: the supporter may have had this email before the "
    "restore. Send it with 'Send the selected failed emails again' if they did not."
)


@dataclass(frozen=True)
class Item:
    """One Stripe object to apply, with what its handler fetched."""

    kind: str
    stripe_id: str
    event_type: str
    facts: Any


@dataclass
class ResyncReport:
    start: datetime
    end: datetime
    applied: bool
    listed: Counter[str] = field(default_factory=Counter)
    changes: list[RowChange] = field(default_factory=list)
    emails_held: int = 0
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def created(self) -> Counter[str]:
        return Counter(change.model for change in self.changes if change.created)

    def changed(self) -> dict[str, Counter[str]]:
        fields: dict[str, Counter[str]] = {}
        for change in self.changes:
            if not change.created:
                fields.setdefault(change.model, Counter()).update(change.fields)
        return fields

    def changed_rows(self) -> Counter[str]:
        return Counter(change.model for change in self.changes if not change.created)

    def emails(self) -> Counter[str]:
        return Counter(
            change.label.split(" ", 1)[0]
            for change in self.changes
            if change.created and change.model == str(OutboxEmail._meta.verbose_name_plural)
        )

    def summary(self) -> dict[str, Any]:
        return {
            "listed": dict(self.listed),
            "created": dict(self.created()),
            "changed": {model: dict(fields) for model, fields in self.changed().items()},
            "emails_queued": dict(self.emails()),
            "emails_held": self.emails_held,
            "errors": len(self.errors),
        }


def stripe_resync(
    *,
    start: datetime,
    end: datetime,
    apply: bool,
    hold_emails: bool = False,
    actor_username: str = "",
) -> ResyncReport:
    """Re-read [start, end) from Stripe and make our records match; with `apply` False
    nothing is kept and the report says what would change."""
    if start >= end:
        raise ValueError("The start of the period must come before its end.")
    report = ResyncReport(start=start, end=end, applied=apply)
    items, transactions = _fetch(report)
    ignored = ("receiptcounter", "auditentry")
    with changes_recorded(app_label="subscriptions", ignored=ignored) as log:
        if apply:
            _apply(items, transactions, report, log=log, hold_emails=hold_emails)
        else:
            with transaction.atomic():
                _apply(items, transactions, report, log=log, hold_emails=hold_emails)
                transaction.set_rollback(True)
    report.changes = log.changes
    if apply:
        audit_record(
            action=AuditAction.STRIPE_RESYNC,
            reason=f"Stripe resync of {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC",
            after=report.summary(),
            actor_username=actor_username,
            target_label="Stripe records",
        )
    return report


def _fetch(report: ResyncReport) -> tuple[list[Item], list[gateway.BalanceTransactionInfo]]:
    """Every Stripe call, before any write: list the period, then re-read each object as
    its webhook handler does."""
    window = {"created_from": report.start, "created_to": report.end}
    listed: dict[str, list[gateway.ListedObject]] = {
        kind: gateway.objects_created_list(kind, **window) for kind in gateway.LISTABLE
    }
    for kind, objects in listed.items():
        report.listed[kind] = len(objects)
    wanted: dict[tuple[str, str], str] = {}
    for kind in ORDER:
        for obj in listed[kind]:
            types = EVENT_TYPES[kind]
            if event_type := types.get(obj.status) or types.get("*"):
                wanted.setdefault((kind, obj.id), event_type)
    running = _running_plans()
    for subscription_id in running:
        wanted.setdefault(("subscription", subscription_id), EVENT_TYPES["subscription"]["*"])
    report.listed["running plans of ours"] = len(running)
    items = []
    for kind in ORDER:
        for (item_kind, stripe_id), event_type in wanted.items():
            if item_kind != kind:
                continue
            try:
                facts = _handler(event_type).fetch(_as_event(event_type, stripe_id))
            except gateway.GatewayError as error:
                report.errors.append(f"{kind} {stripe_id}: Stripe answered {error}")
                continue
            items.append(Item(kind=kind, stripe_id=stripe_id, event_type=event_type, facts=facts))
    transactions = gateway.balance_transactions_list(**window)
    report.listed["balance_transaction"] = len(transactions)
    return items, transactions


def _running_plans() -> list[str]:
    """Our plans not ended: their end or change may be what we missed."""
    ids = (
        Contribution.objects.filter(stripe_subscription_id__gt="")
        .exclude(status__in=ENDED_STATUSES)
        .order_by("pk")
        .values_list("stripe_subscription_id", flat=True)
    )
    return [subscription_id for subscription_id in ids if subscription_id]


def _handler(event_type: str) -> Any:
    handler = handler_for(event_type)
    if handler is None:
        raise LookupError(f"No handler for {event_type}")
    return handler


def _as_event(event_type: str, stripe_id: str) -> StripeEvent:
    """The webhook that would have reported the object, never stored: its handler reads
    only the type and the object's id, and re-reads the object from Stripe."""
    return StripeEvent(
        stripe_id=f"resync_{stripe_id}",
        type=event_type,
        object_id=stripe_id,
        stripe_created_at=timezone.now(),
        payload={
            "id": f"resync_{stripe_id}",
            "type": event_type,
            "data": {"object": {"id": stripe_id}},
        },
    )


def _apply(
    items: list[Item],
    transactions: list[gateway.BalanceTransactionInfo],
    report: ResyncReport,
    *,
    log: ChangeLog,
    hold_emails: bool,
) -> None:
    """Each object in its own transaction (a savepoint in a dry run), as its webhook
    would be: one that fails is reported and the rest still go."""
    for item in items:
        try:
            with transaction.atomic():
                seen = len(log.changes)
                _handler(item.event_type).apply(item.facts)
                if item.kind == "charge":
                    _charge_without_payment(item.facts, report)
                if hold_emails:
                    report.emails_held += _emails_hold(log.changes[seen:])
        except Exception as error:
            logger.exception("stripe_resync could not apply %s %s", item.kind, item.stripe_id)
            report.errors.append(f"{item.kind} {item.stripe_id}: {error}")
    try:
        with transaction.atomic():
            balance_transactions_record(transactions)
    except Exception as error:
        logger.exception("stripe_resync could not record balance transactions")
        report.errors.append(f"balance transactions: {error}")


def _charge_without_payment(charge: gateway.ChargeInfo, report: ResyncReport) -> None:
    """A charge whose invoice or checkout lies before the period: record the money (as a
    dispute that outruns its payment does); whose it is follows when that is applied."""
    if Payment.objects.filter(stripe_charge_id=charge.id).exists():
        return
    payment_record(charge=charge, contribution=None, invoice_id="")
    report.notes.append(
        f"Payment {charge.id} recorded without its plan or supporter (no receipt yet): its "
        "invoice or checkout was created before the period; resync from an earlier start "
        "to link it."
    )


def _emails_hold(changes: list[RowChange]) -> int:
    """Mark the emails just queued as failed, saying why: they are not sent unless staff
    send them from admin."""
    outbox = str(OutboxEmail._meta.verbose_name_plural)
    queued = [change.pk for change in changes if change.created and change.model == outbox]
    return OutboxEmail.objects.filter(pk__in=queued, status=EmailStatus.PENDING).update(
        status=EmailStatus.FAILED, last_error=HELD_EMAIL_NOTE, next_attempt_at=None
    )
