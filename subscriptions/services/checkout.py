"""From a valid pledge to a Stripe Checkout Session: one session per submission."""

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from subscriptions import stripe_gateway as gateway
from subscriptions.fees import amount_covering_fees
from subscriptions.models import Contribution
from subscriptions.models.supporters import ContributionStatus
from subscriptions.pledges import Frequency, Pledge, product_name
from subscriptions.ratelimit import rate_limit_hit
from subscriptions.stripe_events.checkout import checkout_session_sync

logger = logging.getLogger(__name__)

PAYMENT_UNAVAILABLE = gettext_lazy(
    "We could not reach our payment provider, so nothing was charged. Please try again in a minute."
)
# Without script a form carries no token of its own (the page is shared by every reader):
# the same gift from the same browser and address within this many seconds is taken for
# the same submission, a double click or a resend.
SCRIPTLESS_REPEAT_SECONDS = 60
TOO_MANY_ATTEMPTS = gettext_lazy(
    "There have been too many attempts to give from your connection in the last hour. "
    "Nothing was charged. Please try again later, or write to us."
)
# Stripe Checkout's locale for each of our languages (Stripe's list is longer than ours).
CHECKOUT_LOCALES = {"en": "en-GB", "ru": "ru"}


@dataclass(frozen=True)
class CheckoutSource:
    """The page the reader gave from: an article (its id and slug) or the support page.

    `return_path` is where Stripe sends the reader back when they cancel;
    `appeal_variant_id` the appeal test variant the reader was shown, if a test ran.
    """

    return_path: str
    article_id: int | None = None
    article_slug: str = ""
    appeal_variant_id: int | None = None


@dataclass(frozen=True)
class CheckoutClient:
    """What the request tells us about who is giving, for rate limits and Stripe."""

    ip: str
    form_token: uuid.UUID | None
    # Only hashed into the short-lived key that spots a repeated post made without script;
    # never stored with the gift nor sent to Stripe.
    user_agent: str = ""
    # The email of a reader who gave from this browser before, for its rate limit only:
    # never prefilled at Checkout (the browser may be a shared one).
    returning_email: str = ""


@dataclass(frozen=True)
class CheckoutStarted:
    contribution: Contribution
    url: str


class CheckoutRefused(Exception):
    """No checkout was opened; `reason` is the sentence to show the reader."""

    def __init__(self, reason: str | Promise, *, status: int) -> None:
        super().__init__(reason)
        self.reason = str(reason)  # in the language active when it was refused
        self.status = status


def _too_many_attempts(client: CheckoutClient) -> bool:
    if rate_limit_hit(
        scope="checkout-ip", key=client.ip, limit=settings.CHECKOUT_RATE_LIMIT_PER_IP
    ):
        return True
    return bool(client.returning_email) and rate_limit_hit(
        scope="checkout-email",
        key=client.returning_email,
        limit=settings.CHECKOUT_RATE_LIMIT_PER_EMAIL,
    )


def _find_resubmission(form_token: uuid.UUID | None, **fields: Any) -> Contribution | None:
    """The row this same form made before, if it asked for exactly the same gift and its
    checkout is still open: a finished gift is never reopened by an old form."""
    if form_token is None:
        return None
    return Contribution.objects.filter(
        checkout_token=form_token, status=ContributionStatus.PENDING, **fields
    ).first()


def _scriptless_form_token(
    *, pledge: Pledge, source: CheckoutSource, client: CheckoutClient
) -> uuid.UUID:
    """A token for a form posted without one: the first post of this gift from this
    browser makes it, a repeat within SCRIPTLESS_REPEAT_SECONDS finds it."""
    fingerprint = hashlib.sha256(
        "|".join(
            [
                client.ip,
                client.user_agent,
                str(pledge.amount_minor),
                pledge.currency,
                pledge.frequency,
                str(pledge.cover_fees),
                source.return_path,
            ]
        ).encode()
    ).hexdigest()
    key = f"checkout-scriptless:{fingerprint}"
    made = uuid.uuid4()
    if cache.add(key, str(made), SCRIPTLESS_REPEAT_SECONDS):
        return made
    found = cache.get(key)
    return uuid.UUID(found) if found else made


def _contribution_record(
    *, pledge: Pledge, source: CheckoutSource, form_token: uuid.UUID | None, language: str
) -> Contribution:
    """The pending row for this pledge; the same form submitted twice finds the same row."""
    amount, currency = pledge.amount_minor, pledge.currency
    total = amount_covering_fees(amount, currency=currency) if pledge.cover_fees else amount
    fields = {
        "amount": total,
        "currency": currency,
        "frequency": pledge.frequency,
        "covers_fees": pledge.cover_fees,
        "covered_fee": total - amount,
        "upsell": pledge.upsell,
        "source_article_id": source.article_id,
        "language": language,
        "appeal_variant_id": source.appeal_variant_id,
    }
    contribution = _find_resubmission(form_token, **fields)
    if contribution is not None:
        return contribution
    try:
        with transaction.atomic():
            return Contribution.objects.create(**fields, checkout_token=form_token)
    except IntegrityError:
        # The same submission raced us, or the token came back with new values or after
        # its gift went ahead: a new row, without the token.
        return _find_resubmission(form_token, **fields) or Contribution.objects.create(**fields)


def checkout_open(
    *,
    pledge: Pledge,
    source: CheckoutSource,
    client: CheckoutClient,
    language: str = settings.LANGUAGE_CODE,
) -> CheckoutStarted:
    """Record a pending contribution and open Stripe Checkout for it, in `language` (the
    appeal's): Checkout speaks it, and the supporter's emails will.

    Raises CheckoutRefused when the reader's connection or email has tried too often, or
    when Stripe cannot be reached. The contribution's id is the idempotency key, so a
    resubmitted form gets the same session from Stripe.
    """
    if _too_many_attempts(client):
        raise CheckoutRefused(TOO_MANY_ATTEMPTS, status=429)
    form_token = client.form_token or _scriptless_form_token(
        pledge=pledge, source=source, client=client
    )
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    contribution = _contribution_record(
        pledge=pledge, source=source, form_token=form_token, language=language
    )
    frequency = pledge.frequency
    try:
        session = gateway.checkout_session_create(
            idempotency_key=f"checkout-{contribution.public_id}",
            mode="payment" if frequency == Frequency.ONCE else "subscription",
            amount=contribution.amount,
            currency=contribution.currency,
            interval=None if frequency == Frequency.ONCE else frequency,
            product_name=product_name(frequency),
            success_url=f"{settings.SITE_URL}{reverse('subscriptions:thanks')}"
            "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=settings.SITE_URL + source.return_path,
            client_reference_id=str(contribution.public_id),
            locale=CHECKOUT_LOCALES.get(contribution.language, "auto"),
            # Nothing about the reader's connection: Stripe Checkout sees it for itself.
            metadata={
                "contribution_id": str(contribution.public_id),
                "source_article": source.article_slug,
                "appeal_variant": str(source.appeal_variant_id or ""),
            },
        )
    except gateway.GatewayError:
        logger.exception("Could not open Stripe Checkout")
        raise CheckoutRefused(PAYMENT_UNAVAILABLE, status=503) from None
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
    # If Stripe cannot be reached, the webhook will confirm it; the page says we are still
    # confirming.
    with contextlib.suppress(gateway.GatewayError):
        checkout_session_sync(session_id)
    contribution.refresh_from_db()
    return contribution
