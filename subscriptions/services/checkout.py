"""From a valid appeal form to a Stripe Checkout Session: one session per submission."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from newsroom.models import Article
from subscriptions import stripe_gateway as gateway
from subscriptions.fees import amount_covering_fees
from subscriptions.models import Contribution
from subscriptions.models.supporters import Frequency
from subscriptions.ratelimit import rate_limit_hit
from subscriptions.stripe_events.checkout import checkout_session_sync

PRODUCT_NAMES = {
    Frequency.MONTH: "Monthly support",
    Frequency.YEAR: "Yearly support",
    Frequency.ONCE: "One-time support",
}


@dataclass(frozen=True)
class CheckoutStarted:
    contribution: Contribution
    url: str


def _find_resubmission(form_token: uuid.UUID | None, **fields) -> Contribution | None:
    """The row this same form made before, if it asked for exactly the same gift."""
    if form_token is None:
        return None
    return Contribution.objects.filter(checkout_token=form_token, **fields).first()


def contribution_start(
    *,
    amount: int,
    currency: str,
    frequency: str,
    cover_fees: bool,
    source_article: Article | None,
    form_token: uuid.UUID | None,
    client_ip: str,
    user_agent: str,
    customer_email: str = "",
) -> CheckoutStarted:
    """Record a pending contribution and open Stripe Checkout for it.

    The same form submitted twice (a double click, a resubmission) finds the same row,
    and the row's id is the idempotency key, so Stripe answers with the same session.
    """
    total = amount_covering_fees(amount, currency=currency) if cover_fees else amount
    fields = {
        "amount": total,
        "currency": currency,
        "frequency": frequency,
        "covers_fees": cover_fees,
        "covered_fee": total - amount,
        "source_article": source_article,
    }
    contribution = _find_resubmission(form_token, **fields)
    if contribution is None:
        try:
            with transaction.atomic():
                contribution = Contribution.objects.create(**fields, checkout_token=form_token)
        except IntegrityError:
            # Either the same submission raced us, or the token came back with new values.
            contribution = _find_resubmission(form_token, **fields) or Contribution.objects.create(
                **fields
            )
    session = gateway.checkout_session_create(
        idempotency_key=f"checkout-{contribution.public_id}",
        mode="payment" if frequency == Frequency.ONCE else "subscription",
        amount=total,
        currency=currency,
        interval=None if frequency == Frequency.ONCE else frequency,
        product_name=f"{PRODUCT_NAMES[frequency]} for {settings.NEWSROOM_NAME}",
        success_url=f"{settings.SITE_URL}{reverse('subscriptions:thanks')}"
        "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=settings.SITE_URL
        + (source_article.get_absolute_url() if source_article else reverse("newsroom:support")),
        client_reference_id=str(contribution.public_id),
        metadata={
            "contribution_id": str(contribution.public_id),
            "source_article": source_article.slug if source_article else "",
            "client_ip": client_ip,
            "user_agent": user_agent[:450],
        },
        customer_email=customer_email,
    )
    if contribution.stripe_checkout_session_id != session.id:
        contribution.stripe_checkout_session_id = session.id
        contribution.save(update_fields=["stripe_checkout_session_id", "updated_at"])
    return CheckoutStarted(contribution=contribution, url=session.url)


CONFIRMED_STATUSES = {"active", "trialing", "past_due", "paid"}


def contribution_confirm(*, session_id: str) -> Contribution | None:
    """The contribution a checkout session paid for, re-read from Stripe until confirmed.

    Only sessions we created are looked up, so a made-up id never reaches Stripe.
    """
    contribution = Contribution.objects.filter(stripe_checkout_session_id=session_id).first()
    if contribution is None or contribution.status in CONFIRMED_STATUSES:
        return contribution
    # The page refreshes itself while it waits; Stripe is asked a few times a minute at most.
    if rate_limit_hit(scope="checkout-confirm", key=session_id, limit=15, window_seconds=60):
        return contribution
    try:
        with transaction.atomic():
            checkout_session_sync(session_id)
    except gateway.GatewayError:
        pass  # the webhook will confirm it; the page says we are still confirming
    contribution.refresh_from_db()
    return contribution
