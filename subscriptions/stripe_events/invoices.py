"""Invoices of a subscription: paid, failed, and coming up for renewal."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Contribution, EmailKind, Payment, StripeEvent
from subscriptions.pledges import Frequency
from subscriptions.services.outbox import email_queue

from .money import payment_record
from .registry import handles, object_id
from .subscriptions import (
    SubscriptionFacts,
    subscription_apply,
    subscription_facts,
    subscription_fetch,
)


@dataclass(frozen=True)
class InvoiceFacts:
    invoice: gateway.InvoiceInfo
    subscription: SubscriptionFacts | None


def _fetch(event: StripeEvent) -> InvoiceFacts:
    read_at = timezone.now()
    invoice = gateway.invoice_retrieve(object_id(event))
    subscription = None
    if invoice.subscription is not None:
        subscription = subscription_facts(invoice.subscription, read_at=read_at)
    elif invoice.subscription_id:  # Stripe answered it unexpanded
        subscription = subscription_fetch(invoice.subscription_id)
    return InvoiceFacts(invoice=invoice, subscription=subscription)


def _paid_fetch(event: StripeEvent) -> InvoiceFacts | None:
    """Once an invoice's payment is recorded with its plan and supporter, a repeat of its
    invoice.paid can tell us no more (a refund or dispute, or a change of plan, comes with
    events of its own): no Stripe calls then."""
    recorded = Payment.objects.filter(
        stripe_invoice_id=object_id(event),
        contribution__isnull=False,
        supporter__isnull=False,
    )
    if recorded.exists():
        return None
    return _fetch(event)


# Not invoice.payment_succeeded: Stripe sends it beside invoice.paid for every paid invoice
# and invoice.paid also covers an invoice paid out of band, so the second told us nothing
# and was a quarter of a month's renewal events.
@handles("invoice.paid", fetch=_paid_fetch)
def invoice_paid(facts: InvoiceFacts | None) -> Payment | None:
    if facts is None:
        return None
    invoice = facts.invoice
    contribution = subscription_apply(facts.subscription) if facts.subscription else None
    if invoice.charge is None or invoice.charge.status != "succeeded":
        return None
    return payment_record(charge=invoice.charge, contribution=contribution, invoice_id=invoice.id)


@handles("invoice.payment_failed", fetch=_fetch)
def invoice_payment_failed(facts: InvoiceFacts) -> Contribution | None:
    invoice = facts.invoice
    if facts.subscription is None:
        return None
    contribution = subscription_apply(facts.subscription)
    # A payment waiting for the cardholder's confirmation did not fail: retrying will not help,
    # so the supporter gets the confirmation email (invoice.payment_action_required) instead.
    if invoice.status == "open" and contribution.status != "canceled" and not invoice.needs_action:
        email_queue(
            kind=EmailKind.PAYMENT_FAILED,
            supporter=contribution.supporter,
            contribution=contribution,
            invoice_id=invoice.id,
            attempt=invoice.attempt_count,
            amount=invoice.amount_due,
            next_attempt=invoice.next_payment_attempt,
        )
    return contribution


@handles("invoice.payment_action_required", fetch=_fetch)
def invoice_payment_action_required(facts: InvoiceFacts) -> Contribution | None:
    """A renewal needs 3-D Secure: send the supporter Stripe's page to confirm it."""
    invoice = facts.invoice
    if facts.subscription is None:
        return None
    contribution = subscription_apply(facts.subscription)
    if invoice.needs_action and invoice.hosted_invoice_url and contribution.status != "canceled":
        email_queue(
            kind=EmailKind.PAYMENT_ACTION_REQUIRED,
            supporter=contribution.supporter,
            contribution=contribution,
            invoice_id=invoice.id,
            amount=invoice.amount_due,
            confirm_url=invoice.hosted_invoice_url,
        )
    return contribution


# Stripe announces a renewal at most this long before it (its "upcoming renewal" setting).
UPCOMING_NOTICE = timedelta(days=45)
RENEWING_STATUSES = ("active", "past_due", "trialing")


def _upcoming_fetch(event: StripeEvent) -> list[SubscriptionFacts]:
    """An upcoming invoice has no id to re-read, and where it names its subscription depends
    on the endpoint's API version; so only its customer is taken from the body (the same in
    every version), and Stripe is asked which of their subscriptions renews next."""
    customer_id = convert_object_id(event.payload["data"]["object"].get("customer"))
    if not customer_id:
        return []
    plans = Contribution.objects.filter(stripe_customer_id=customer_id)
    frequencies = list(plans.values_list("frequency", "scheduled_frequency"))
    if frequencies and Frequency.YEAR not in chain.from_iterable(frequencies):
        return []  # only yearly plans are announced; a customer of ours with none needs no call
    announced = event.stripe_created_at
    return [
        subscription_fetch(info.id)
        for info in gateway.subscription_list_for_customer(customer_id)
        if info.status in RENEWING_STATUSES
        and info.current_period_end is not None
        and announced <= info.current_period_end <= announced + UPCOMING_NOTICE
    ]


def convert_object_id(value: object) -> str:
    """A field that holds an id, or the object itself when expanded."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


@handles("invoice.upcoming", fetch=_upcoming_fetch)
def invoice_upcoming(renewing: list[SubscriptionFacts]) -> list[Contribution]:
    contributions = []
    for facts in renewing:
        contribution = subscription_apply(facts)
        email_queue(
            kind=EmailKind.RENEWAL_COMING,
            supporter=contribution.supporter,
            contribution=contribution,
        )
        contributions.append(contribution)
    return contributions
