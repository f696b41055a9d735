"""Privacy requests: export what we hold about a supporter, or erase them.

Erasure keeps what finance must keep (payments, balance transactions, amounts, dates,
receipt numbers, Stripe ids) and replaces every trace of the person (name, email, the
emails we wrote them, card details, what they typed) with a pseudonym. Their plans end
and their customers are deleted at Stripe first, so nothing is charged after.
"""

import re
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import (
    AuditAction,
    Contribution,
    EmailStatus,
    OutboxEmail,
    StripeEvent,
    Supporter,
)
from subscriptions.models.supporters import CancelReason, ContributionStatus
from subscriptions.privacy import supporter_export, supporter_stripe_events
from subscriptions.stripe_events.subscriptions import contribution_mirror

from .audit import audit_record
from .events import stripe_events_prune
from .supporters import supporter_sign_out_everywhere

ERASED_NAME = "Erased supporter"
ERASED_EMAIL_DOMAIN = "erased.invalid"
# Plans Stripe may still charge: ended at once before the customer is deleted.
LIVE_STATUSES = [
    ContributionStatus.ACTIVE,
    ContributionStatus.TRIALING,
    ContributionStatus.PAST_DUE,
    ContributionStatus.UNPAID,
    ContributionStatus.PAUSED,
    ContributionStatus.INCOMPLETE,
]


class PrivacyRequestRefused(Exception):
    """The request cannot be carried out; the message is a sentence for staff."""


@dataclass(frozen=True)
class Erasure:
    supporter: Supporter
    plans_ended: int
    customers_deleted: int
    events_pruned: int


def supporter_export_for_request(*, supporter: Supporter, reason: str, request=None) -> dict:
    """The export, for staff answering a privacy request: recorded in the audit log."""
    if not reason.strip():
        raise PrivacyRequestRefused("Please give the reason for this export.")
    audit_record(
        action=AuditAction.SUPPORTER_EXPORTED, target=supporter, reason=reason, request=request
    )
    return supporter_export(supporter=supporter)


def _pseudonymised(text: str, replacements: dict[str, str]) -> str:
    for secret, pseudonym in replacements.items():
        if secret:
            text = re.sub(re.escape(secret), pseudonym, text, flags=re.IGNORECASE)
    return text


def supporter_erase(*, supporter: Supporter, reason: str, request=None) -> Erasure:
    """Erase a supporter for a privacy request. Stripe first (outside any transaction):
    end live plans, delete the customers; then every row of ours in one transaction."""
    if not reason.strip():
        raise PrivacyRequestRefused("Please give the reason for this erasure.")
    if supporter.erased_at is not None:
        raise PrivacyRequestRefused(f"Supporter {supporter.pk} was already erased.")
    contributions = Contribution.objects.filter(supporter=supporter)
    live = contributions.filter(status__in=LIVE_STATUSES).exclude(
        Q(stripe_subscription_id__isnull=True) | Q(stripe_subscription_id="")
    )
    plans_ended = 0
    # Ended by staff, not by failed payments, whichever of us records the end first.
    live.filter(cancel_reason="").update(cancel_reason=CancelReason.STAFF)
    for subscription_id in live.values_list("stripe_subscription_id", flat=True):
        if not subscription_id:
            continue
        gateway.subscription_cancel_now(subscription_id=subscription_id)
        contribution_mirror(subscription_id=subscription_id)
        plans_ended += 1
    customer_ids = sorted(
        set(
            contributions.exclude(stripe_customer_id="").values_list(
                "stripe_customer_id", flat=True
            )
        )
    )
    for customer_id in customer_ids:
        gateway.customer_delete(customer_id)

    pseudonym = f"erased-{uuid.uuid4().hex[:16]}@{ERASED_EMAIL_DOMAIN}"
    replacements = {supporter.email: pseudonym, supporter.name: ERASED_NAME}
    now = timezone.now()
    with transaction.atomic():
        # Lock rows in the order webhook handlers take them (a plan, then its supporter), so
        # an event that arrives meanwhile (the cancellations above) waits instead of
        # deadlocking with this transaction.
        list(contributions.select_for_update().order_by("pk").values_list("pk", flat=True))
        supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
        for email in OutboxEmail.objects.filter(supporter=supporter):
            email.to = pseudonym
            email.subject = _pseudonymised(email.subject, replacements)
            email.html = _pseudonymised(email.html, replacements)
            email.text = _pseudonymised(email.text, replacements)
            email.last_error = _pseudonymised(email.last_error, replacements)
            if email.status in (EmailStatus.PENDING, EmailStatus.SENDING):
                email.status = EmailStatus.FAILED
                email.next_attempt_at = None
                email.last_error = "Not sent: the supporter was erased."
                email.operator_fault = False  # nothing for an operator to send again
            email.save(
                update_fields=[
                    "to",
                    "subject",
                    "html",
                    "text",
                    "last_error",
                    "status",
                    "next_attempt_at",
                    "operator_fault",
                ]
            )
        contributions.update(
            card_brand="",
            card_last4="",
            card_exp_month=None,
            card_exp_year=None,
            cancel_reason_detail="",
            checkout_token=None,
        )
        events_pruned = stripe_events_prune(
            events=StripeEvent.objects.filter(
                pk__in=supporter_stripe_events(supporter=supporter).values("pk")
            ),
            now=now,
        )
        supporter.email = pseudonym
        supporter.name = ""
        supporter.email_undeliverable_reason = ""
        supporter.reminders_unsubscribed_at = supporter.reminders_unsubscribed_at or now
        supporter.erased_at = now
        supporter.save()
        # Links already sent, and sessions they opened, name the old address: end them.
        supporter_sign_out_everywhere(supporter=supporter)
        audit_record(
            action=AuditAction.SUPPORTER_ERASED,
            target=supporter,
            reason=reason,
            request=request,
            after={
                "plans_ended": plans_ended,
                "stripe_customers_deleted": len(customer_ids),
                "stripe_event_payloads_pruned": events_pruned,
            },
        )
    # An event about them (the customer.deleted above) that was stored while the
    # transaction ran saw them not yet erased: prune once more now that the erasure is
    # committed. Any later event finds them erased and is pruned after it is processed.
    events_pruned += stripe_events_prune(
        events=StripeEvent.objects.filter(
            pk__in=supporter_stripe_events(supporter=supporter).values("pk")
        ),
        now=timezone.now(),
    )
    return Erasure(
        supporter=supporter,
        plans_ended=plans_ended,
        customers_deleted=len(customer_ids),
        events_pruned=events_pruned,
    )
