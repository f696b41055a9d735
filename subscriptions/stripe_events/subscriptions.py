"""Subscriptions: our contribution made to match Stripe's subscription, and the emails a
change of plan deserves."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Contribution, EmailKind, StripeEvent
from subscriptions.models.supporters import CancelReason, ContributionStatus
from subscriptions.pledges import Frequency
from subscriptions.services.care_records import contribution_changes_record, contribution_snapshot
from subscriptions.services.outbox import email_queue
from subscriptions.services.supporters import supporter_upsert

from .registry import handles, object_id

INTERVAL_TO_FREQUENCY = {"month": Frequency.MONTH, "year": Frequency.YEAR}
ENDED_STATUSES = {ContributionStatus.CANCELED, ContributionStatus.INCOMPLETE_EXPIRED}

# The supporter's reason in Stripe's own words (cancellation_details.feedback), so Stripe's
# record, and every webhook about it, says that the supporter asked and why.
STRIPE_FEEDBACK: dict[str, str] = {
    CancelReason.TOO_EXPENSIVE: "too_expensive",
    CancelReason.SUPPORT_ELSEWHERE: "switched_service",
    CancelReason.UNHAPPY: "low_quality",
    CancelReason.TEMPORARY: "unused",
    CancelReason.OTHER: "other",
}
FEEDBACK_REASONS = {feedback: reason for reason, feedback in STRIPE_FEEDBACK.items()}


# How far apart the clocks of two of our machines (web, worker) may be: an event received
# this long before we last read its subscription is known to be in what we read.
CLOCK_MARGIN = timedelta(seconds=10)


@dataclass(frozen=True)
class SubscriptionFacts:
    subscription: gateway.SubscriptionInfo
    # When we asked Stripe for it: every change Stripe made before this is in it.
    read_at: datetime
    # Only fetched when we do not yet know who the supporter is.
    customer: gateway.CustomerInfo | None
    # The schedule attached to the subscription (a pending switch of frequency), if any.
    schedule: gateway.ScheduleInfo | None = None


def contribution_for_update(**lookup: Any) -> Contribution | None:
    return Contribution.objects.select_for_update().filter(**lookup).first()


def public_id_from(metadata: dict[str, str]) -> uuid.UUID | None:
    try:
        return uuid.UUID(metadata.get("contribution_id", ""))
    except ValueError:  # absent, or not one of ours
        return None


def subscription_fetch(subscription_id: str) -> SubscriptionFacts:
    read_at = timezone.now()
    return subscription_facts(gateway.subscription_retrieve(subscription_id), read_at=read_at)


def subscription_facts(info: gateway.SubscriptionInfo, *, read_at: datetime) -> SubscriptionFacts:
    """What applying a subscription read from Stripe (asked for at `read_at`) needs besides
    it: its customer if the supporter is new to us, and its schedule if it has one."""
    mine = Q(stripe_subscription_id=info.id)
    if public_id := public_id_from(info.metadata):
        mine |= Q(public_id=public_id)
    known = Contribution.objects.filter(mine, supporter__isnull=False).exists()
    customer = None
    if info.customer_id and not known:
        customer = gateway.customer_retrieve(info.customer_id)
    schedule = None
    if info.schedule_id:
        schedule = gateway.subscription_schedule_retrieve(info.schedule_id)
    return SubscriptionFacts(
        subscription=info, read_at=read_at, customer=customer, schedule=schedule
    )


def subscription_apply(facts: SubscriptionFacts) -> Contribution:
    """Our contribution for a Stripe subscription, made to match what was fetched."""
    info = facts.subscription
    contribution = contribution_for_update(stripe_subscription_id=info.id)
    if contribution is None and (public_id := public_id_from(info.metadata)):
        contribution = contribution_for_update(public_id=public_id)
    if contribution is None:
        # Made outside our checkout (Stripe's dashboard, the CLI): adopt it.
        contribution = Contribution(source_article=None)
    synced_at = contribution.stripe_synced_at
    if synced_at is not None and contribution.supporter_id and facts.read_at < synced_at:
        # A later read is already written (two workers, each with an event of the same
        # subscription): this older copy must not undo it.
        return contribution
    stored = _mirrored_values(contribution) if synced_at is not None else None
    if contribution.supporter_id is None and facts.customer and facts.customer.email:
        contribution.supporter = supporter_upsert(
            email=facts.customer.email,
            name=facts.customer.name,
            # A plan made outside our checkout says nothing of the supporter's language.
            language=contribution.language if contribution.pk else None,
        )
    contribution.stripe_customer_id = info.customer_id
    before = (
        contribution.status,
        contribution.amount,
        contribution.frequency,
        contribution.cancel_at_period_end,
        contribution.stripe_synced_at is not None,
    )
    was_ended = contribution.status in ENDED_STATUSES
    # The first copy from Stripe is the plan's start, not a change: its history begins after.
    history_before = (
        contribution_snapshot(contribution) if contribution.stripe_synced_at is not None else {}
    )
    contribution.stripe_subscription_id = info.id
    contribution.amount = info.amount
    contribution.currency = info.currency
    contribution.frequency = INTERVAL_TO_FREQUENCY.get(info.interval, Frequency.MONTH)
    contribution.status = info.status
    contribution.current_period_end = info.current_period_end
    contribution.cancel_at_period_end = info.cancel_at_period_end or info.cancel_at is not None
    contribution.cancel_at = info.cancel_at
    contribution.collection_paused = info.collection_paused
    contribution.collection_resumes_at = info.collection_resumes_at
    contribution.started_at = info.started_at
    contribution.ended_at = info.ended_at
    if contribution.supporter is None or contribution.supporter.erased_at is None:
        # An erased supporter's card stays forgotten, whatever Stripe still reports.
        contribution.card_brand = info.card_brand
        contribution.card_last4 = info.card_last4
        contribution.card_exp_month = info.card_exp_month
        contribution.card_exp_year = info.card_exp_year
    _mirror_schedule(contribution, facts.schedule)
    if not contribution.cancel_reason and (
        contribution.cancel_at_period_end or contribution.status in ENDED_STATUSES
    ):
        contribution.cancel_reason = _cancel_reason(info, expired=not was_ended)
    elif not contribution.cancel_at_period_end and contribution.status not in ENDED_STATUSES:
        # Undone (here or in Stripe's dashboard): there is no reason to end any more.
        contribution.cancel_reason = ""
        contribution.cancel_reason_detail = ""
    if contribution.covered_fee >= contribution.amount:
        contribution.covered_fee = 0
    if stored is not None and _mirrored_values(contribution) == stored:
        # Ours already says what Stripe says (a renewal's invoice after its subscription's
        # update, a repeated event): nothing to write, to record or to tell anyone.
        return contribution
    contribution.stripe_synced_at = facts.read_at
    contribution.save()
    contribution_changes_record(contribution=contribution, before=history_before)
    _contribution_change_emails(contribution, before=before, price_id=info.price_id)
    return contribution


def _mirrored_values(contribution: Contribution) -> dict[str, Any]:
    """Every stored column but the two that only say when it was last written."""
    return {
        field.attname: getattr(contribution, field.attname)
        for field in Contribution._meta.concrete_fields
        if field.attname not in {"stripe_synced_at", "updated_at"}
    }


def _cancel_reason(info: gateway.SubscriptionInfo, *, expired: bool) -> str:
    """Why a plan ends, as Stripe records it (the supporter's own words come as feedback)."""
    if info.cancellation_reason == "payment_failed":
        return CancelReason.PAYMENT_FAILED
    if info.cancellation_reason == "payment_disputed":
        return CancelReason.PAYMENT_DISPUTED
    if info.cancellation_feedback in FEEDBACK_REASONS:
        return FEEDBACK_REASONS[info.cancellation_feedback]
    if info.status == ContributionStatus.INCOMPLETE_EXPIRED and expired:
        return CancelReason.PAYMENT_FAILED  # the first payment never went through
    return ""


def _mirror_schedule(contribution: Contribution, schedule: gateway.ScheduleInfo | None) -> None:
    pending = (
        schedule is not None
        and schedule.next_phase_starts_at is not None
        and schedule.next_amount is not None
        and schedule.next_interval in INTERVAL_TO_FREQUENCY
    )
    if schedule is None or not pending:
        contribution.stripe_schedule_id = schedule.id if schedule else ""
        contribution.scheduled_amount = None
        contribution.scheduled_frequency = ""
        contribution.scheduled_from = None
        return
    contribution.stripe_schedule_id = schedule.id
    contribution.scheduled_amount = schedule.next_amount
    contribution.scheduled_frequency = INTERVAL_TO_FREQUENCY[schedule.next_interval]
    contribution.scheduled_from = schedule.next_phase_starts_at


def _contribution_change_emails(
    contribution: Contribution, *, before: tuple[str, int, str, bool, bool], price_id: str
) -> None:
    old_status, old_amount, old_frequency, old_cancel_at_period_end, was_synced = before
    supporter = contribution.supporter
    if was_synced and (old_amount, old_frequency) != (contribution.amount, contribution.frequency):
        email_queue(
            kind=EmailKind.CONTRIBUTION_CHANGED,
            supporter=supporter,
            contribution=contribution,
            price_id=price_id,
            old_amount=old_amount,
            old_frequency=old_frequency,
        )
    newly_ending = contribution.cancel_at_period_end and not old_cancel_at_period_end
    newly_ended = contribution.status == "canceled" and old_status != "canceled"
    if newly_ending or newly_ended:
        email_queue(kind=EmailKind.CANCELLATION, supporter=supporter, contribution=contribution)
    continues = old_cancel_at_period_end and not contribution.cancel_at_period_end
    if was_synced and continues and contribution.status not in ENDED_STATUSES:
        email_queue(kind=EmailKind.CONTINUES, supporter=supporter, contribution=contribution)


def contribution_mirror(*, subscription_id: str) -> Contribution:
    """Fetch the subscription, then write it to our contribution in one transaction."""
    facts = subscription_fetch(subscription_id)
    with transaction.atomic():
        return subscription_apply(facts)


def _fetch(event: StripeEvent) -> SubscriptionFacts | None:
    if event.processed_at is None and _read_since(event):
        return None
    return subscription_fetch(object_id(event))


def _read_since(event: StripeEvent) -> bool:
    """Whether what we hold of the event's subscription was read from Stripe after the event
    reached us: then it already shows whatever the event announces (a renewal's
    invoice.paid, handled first, brings the subscription its customer.subscription.updated
    is about). A replay (the event was processed), or a resync's event that never reached
    us, always reads it again."""
    if event.received_at is None:
        return False
    return Contribution.objects.filter(
        stripe_subscription_id=object_id(event),
        supporter__isnull=False,
        stripe_synced_at__gt=event.received_at + CLOCK_MARGIN,
    ).exists()


@handles(
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    fetch=_fetch,
)
def subscription_changed(facts: SubscriptionFacts | None) -> Contribution | None:
    return subscription_apply(facts) if facts else None


def _fetch_for_schedule(event: StripeEvent) -> SubscriptionFacts | None:
    """A schedule's event mirrors its subscription (released ones name it differently)."""
    schedule = gateway.subscription_schedule_retrieve(object_id(event))
    if not schedule.subscription_id:
        return None
    return subscription_fetch(schedule.subscription_id)


@handles(
    "subscription_schedule.created",
    "subscription_schedule.updated",
    "subscription_schedule.released",
    "subscription_schedule.canceled",
    fetch=_fetch_for_schedule,
)
def subscription_schedule_changed(facts: SubscriptionFacts | None) -> Contribution | None:
    return subscription_apply(facts) if facts else None
