"""Checkout sessions: a gift started on our site, completed, expired or failed at Stripe."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Contribution, StripeEvent
from subscriptions.models.supporters import ContributionStatus
from subscriptions.services.supporters import supporter_upsert

from .money import payment_record
from .registry import handles, object_id
from .subscriptions import (
    SubscriptionFacts,
    contribution_for_update,
    public_id_from,
    subscription_apply,
    subscription_fetch,
)


@dataclass(frozen=True)
class CheckoutFacts:
    session: gateway.CheckoutSessionInfo
    subscription: SubscriptionFacts | None = None
    charge: gateway.ChargeInfo | None = None


def checkout_session_fetch(session_id: str) -> CheckoutFacts:
    session = gateway.checkout_session_retrieve(session_id)
    if session.status != "complete":
        return CheckoutFacts(session=session)
    if session.mode == "subscription" and session.subscription_id:
        return CheckoutFacts(
            session=session, subscription=subscription_fetch(session.subscription_id)
        )
    if session.mode == "payment" and session.payment_intent_id and session.payment_status == "paid":
        charge = gateway.payment_intent_charge_retrieve(session.payment_intent_id)
        return CheckoutFacts(session=session, charge=charge)
    return CheckoutFacts(session=session)


def _contribution_of(session: gateway.CheckoutSessionInfo) -> Contribution | None:
    public_id = public_id_from(session.metadata)
    if public_id is not None and (found := contribution_for_update(public_id=public_id)):
        return found
    return contribution_for_update(stripe_checkout_session_id=session.id)


def checkout_session_apply(facts: CheckoutFacts) -> Contribution | None:
    session = facts.session
    contribution = _contribution_of(session)
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
            email=session.customer_email,
            name=session.customer_name,
            language=contribution.language,
        )
    if session.customer_id:
        contribution.stripe_customer_id = session.customer_id
    contribution.save(update_fields=["supporter", "stripe_customer_id", "updated_at"])
    if facts.subscription is not None:
        if not contribution.stripe_subscription_id:
            contribution.stripe_subscription_id = session.subscription_id
            contribution.save(update_fields=["stripe_subscription_id", "updated_at"])
        return subscription_apply(facts.subscription)
    if session.mode == "payment" and session.payment_intent_id:
        return _one_time_apply(contribution, facts)
    return contribution


def _one_time_apply(contribution: Contribution, facts: CheckoutFacts) -> Contribution:
    session = facts.session
    contribution.stripe_payment_intent_id = session.payment_intent_id
    if session.payment_status == "paid":
        if contribution.status in (ContributionStatus.PENDING, ContributionStatus.FAILED):
            contribution.status = ContributionStatus.PAID
            contribution.started_at = contribution.started_at or timezone.now()
        if facts.charge is not None:
            payment_record(charge=facts.charge, contribution=contribution, invoice_id="")
    contribution.save()
    return contribution


def checkout_session_sync(session_id: str) -> Contribution | None:
    """Confirm a checkout from Stripe now (the thanks page), without waiting for its event."""
    facts = checkout_session_fetch(session_id)
    with transaction.atomic():
        return checkout_session_apply(facts)


def _fetch(event: StripeEvent) -> CheckoutFacts:
    return checkout_session_fetch(object_id(event))


@handles(
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.expired",
    fetch=_fetch,
)
def checkout_session_changed(facts: CheckoutFacts) -> Contribution | None:
    return checkout_session_apply(facts)


def _session_fetch(event: StripeEvent) -> gateway.CheckoutSessionInfo:
    return gateway.checkout_session_retrieve(object_id(event))


@handles("checkout.session.async_payment_failed", fetch=_session_fetch)
def checkout_session_payment_failed(session: gateway.CheckoutSessionInfo) -> Contribution | None:
    public_id = public_id_from(session.metadata)
    contribution = contribution_for_update(public_id=public_id) if public_id else None
    if contribution and contribution.status == ContributionStatus.PENDING:
        contribution.status = ContributionStatus.FAILED
        contribution.save(update_fields=["status", "updated_at"])
    return contribution
