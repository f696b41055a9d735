"""Mirror Stripe's state into our records, one event type at a time.

Every handler re-reads the object from Stripe rather than trusting the event's copy, so
the result is the same whatever order events arrive in and however often: an old
`customer.subscription.updated` processed late still writes Stripe's current state.
"""

import uuid
from collections.abc import Callable

from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Contribution, Payment, StripeEvent
from subscriptions.models.supporters import CancelReason, ContributionStatus, Frequency

from . import notifications
from .payment_sync import charge_sync, dispute_sync, payment_record, payout_sync
from .supporters import supporter_upsert

INTERVAL_TO_FREQUENCY = {"month": Frequency.MONTH, "year": Frequency.YEAR}
ENDED_STATUSES = {ContributionStatus.CANCELED, ContributionStatus.INCOMPLETE_EXPIRED}


def _contribution_for_update(**lookup) -> Contribution | None:
    return Contribution.objects.select_for_update().filter(**lookup).first()


def _contribution_by_metadata(metadata: dict[str, str]) -> Contribution | None:
    try:
        public_id = uuid.UUID(metadata.get("contribution_id", ""))
    except ValueError:  # absent, or not one of ours
        return None
    return _contribution_for_update(public_id=public_id)


def checkout_session_sync(session_id: str) -> Contribution | None:
    session = gateway.checkout_session_retrieve(session_id)
    contribution = _contribution_by_metadata(session.metadata) or _contribution_for_update(
        stripe_checkout_session_id=session.id
    )
    if contribution is None:
        return None  # a checkout some other integration made; nothing of ours
    if session.status == "expired":
        if contribution.status == ContributionStatus.PENDING:
            contribution.status = ContributionStatus.EXPIRED
            contribution.save(update_fields=["status", "updated_at"])
        return contribution
    if session.status != "complete":
        return contribution
    if session.customer_email and contribution.supporter_id is None:
        contribution.supporter = supporter_upsert(
            email=session.customer_email, name=session.customer_name
        )
    if session.customer_id:
        contribution.stripe_customer_id = session.customer_id
    contribution.save(update_fields=["supporter", "stripe_customer_id", "updated_at"])
    if session.mode == "subscription" and session.subscription_id:
        if not contribution.stripe_subscription_id:
            contribution.stripe_subscription_id = session.subscription_id
            contribution.save(update_fields=["stripe_subscription_id", "updated_at"])
        return subscription_sync(session.subscription_id)
    if session.mode == "payment" and session.payment_intent_id:
        return _one_time_sync(contribution, session)
    return contribution


def _one_time_sync(
    contribution: Contribution, session: gateway.CheckoutSessionInfo
) -> Contribution:
    contribution.stripe_payment_intent_id = session.payment_intent_id
    if session.payment_status == "paid":
        if contribution.status in (ContributionStatus.PENDING, ContributionStatus.FAILED):
            contribution.status = ContributionStatus.PAID
            contribution.started_at = contribution.started_at or timezone.now()
        charge = gateway.payment_intent_charge_retrieve(session.payment_intent_id)
        if charge is not None:
            payment_record(charge=charge, contribution=contribution, invoice_id="")
    contribution.save()
    return contribution


def checkout_session_failed(session_id: str) -> Contribution | None:
    session = gateway.checkout_session_retrieve(session_id)
    contribution = _contribution_by_metadata(session.metadata)
    if contribution and contribution.status == ContributionStatus.PENDING:
        contribution.status = ContributionStatus.FAILED
        contribution.save(update_fields=["status", "updated_at"])
    return contribution


def subscription_sync(subscription_id: str) -> Contribution:
    """Our contribution for a Stripe subscription, made to match Stripe's current state."""
    info = gateway.subscription_retrieve(subscription_id)
    contribution = _contribution_for_update(stripe_subscription_id=info.id)
    if contribution is None:
        contribution = _contribution_by_metadata(info.metadata)
    if contribution is None:
        # Made outside our checkout (Stripe's dashboard, the CLI): adopt it.
        contribution = Contribution(source_article=None)
    if contribution.supporter_id is None and info.customer_id:
        customer = gateway.customer_retrieve(info.customer_id)
        if customer.email:
            contribution.supporter = supporter_upsert(email=customer.email, name=customer.name)
    contribution.stripe_customer_id = info.customer_id
    before = (
        contribution.status,
        contribution.amount,
        contribution.frequency,
        contribution.cancel_at_period_end,
        contribution.stripe_synced_at is not None,
    )
    was_ended = contribution.status in ENDED_STATUSES
    contribution.stripe_subscription_id = info.id
    contribution.amount = info.amount
    contribution.currency = info.currency
    contribution.frequency = INTERVAL_TO_FREQUENCY.get(info.interval, Frequency.MONTH)
    contribution.status = info.status
    contribution.current_period_end = info.current_period_end
    contribution.cancel_at_period_end = info.cancel_at_period_end
    contribution.started_at = info.started_at
    contribution.ended_at = info.ended_at
    contribution.card_brand = info.card_brand
    contribution.card_last4 = info.card_last4
    contribution.card_exp_month = info.card_exp_month
    contribution.card_exp_year = info.card_exp_year
    if contribution.status in ENDED_STATUSES and not was_ended and not contribution.cancel_reason:
        contribution.cancel_reason = CancelReason.PAYMENT_FAILED
    if contribution.covered_fee >= contribution.amount:
        contribution.covered_fee = 0
    contribution.stripe_synced_at = timezone.now()
    contribution.save()
    _notify_plan_changes(contribution, before=before, price_id=info.price_id)
    return contribution


def _notify_plan_changes(contribution: Contribution, *, before: tuple, price_id: str) -> None:
    old_status, old_amount, old_frequency, old_cancel_at_period_end, was_synced = before
    if was_synced and (old_amount, old_frequency) != (contribution.amount, contribution.frequency):
        notifications.plan_changed(
            contribution, price_id=price_id, old_amount=old_amount, old_frequency=old_frequency
        )
    newly_ending = contribution.cancel_at_period_end and not old_cancel_at_period_end
    newly_ended = contribution.status == "canceled" and old_status != "canceled"
    if newly_ending or newly_ended:
        notifications.plan_cancelled(contribution)


def invoice_sync(invoice_id: str) -> Payment | None:
    invoice = gateway.invoice_retrieve(invoice_id)
    contribution = subscription_sync(invoice.subscription_id) if invoice.subscription_id else None
    if invoice.charge is None or invoice.charge.status != "succeeded":
        return None
    return payment_record(charge=invoice.charge, contribution=contribution, invoice_id=invoice.id)


def invoice_failed_sync(invoice_id: str) -> Contribution | None:
    invoice = gateway.invoice_retrieve(invoice_id)
    if not invoice.subscription_id:
        return None
    contribution = subscription_sync(invoice.subscription_id)
    if invoice.status == "open" and contribution.status != "canceled":
        notifications.payment_failed(
            contribution,
            invoice_id=invoice.id,
            attempt=invoice.attempt_count,
            amount=invoice.amount_due,
            next_attempt=invoice.next_payment_attempt,
        )
    return contribution


def _by_object(handler: Callable[[str], object]) -> Callable[[StripeEvent], object]:
    def handle(event: StripeEvent) -> object:
        return handler(event.payload["data"]["object"]["id"])

    return handle


def invoice_upcoming_sync(event: StripeEvent) -> Contribution | None:
    """An upcoming invoice has no id to re-read; its subscription has."""
    invoice = event.payload["data"]["object"]
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription = details.get("subscription")
    subscription_id = (
        subscription if isinstance(subscription, str) else (subscription or {}).get("id")
    )
    if not subscription_id:
        return None
    contribution = subscription_sync(subscription_id)
    notifications.renewal_coming(contribution)
    return contribution


HANDLERS: dict[str, Callable[[StripeEvent], object]] = {
    "checkout.session.completed": _by_object(checkout_session_sync),
    "checkout.session.async_payment_succeeded": _by_object(checkout_session_sync),
    "checkout.session.async_payment_failed": _by_object(checkout_session_failed),
    "checkout.session.expired": _by_object(checkout_session_sync),
    "customer.subscription.created": _by_object(subscription_sync),
    "customer.subscription.updated": _by_object(subscription_sync),
    "customer.subscription.deleted": _by_object(subscription_sync),
    "invoice.paid": _by_object(invoice_sync),
    "invoice.payment_succeeded": _by_object(invoice_sync),
    "invoice.payment_failed": _by_object(invoice_failed_sync),
    "invoice.upcoming": invoice_upcoming_sync,
    "charge.refunded": _by_object(charge_sync),
    "charge.dispute.created": _by_object(dispute_sync),
    "charge.dispute.updated": _by_object(dispute_sync),
    "charge.dispute.closed": _by_object(dispute_sync),
    "payout.paid": _by_object(payout_sync),
}
