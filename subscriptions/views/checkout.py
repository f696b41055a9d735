"""The reader's gift: the appeal form's POST, and the thanks page after Stripe."""

import logging
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from newsroom.forms import Pledge
from newsroom.models import Article
from subscriptions import selectors
from subscriptions import stripe_gateway as gateway
from subscriptions.ratelimit import client_ip, rate_limit_hit
from subscriptions.services.checkout import (
    CONFIRMED_STATUSES,
    contribution_confirm,
    contribution_start,
)
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT

logger = logging.getLogger(__name__)

PAYMENT_UNAVAILABLE = (
    "We could not reach our payment provider, so nothing was charged. Please try again in a minute."
)
TOO_MANY_ATTEMPTS = (
    "There have been too many attempts to give from your connection in the last hour. "
    "Nothing was charged. Please try again later, or write to us."
)


class CheckoutRefused(Exception):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _form_token(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None


def _returning_supporter_email(request: HttpRequest) -> str:
    """The email of a reader who gave from this browser before (their signed cookie)."""
    public_id = request.get_signed_cookie(
        SUPPORTER_COOKIE, default=None, salt=SUPPORTER_COOKIE_SALT
    )
    return selectors.supporter_email_for_contribution(public_id=public_id) if public_id else ""


def checkout_redirect(
    request: HttpRequest, *, pledge: Pledge, source_article: Article | None
) -> HttpResponse:
    """Open Stripe Checkout for a valid pledge: 303 there, or raise CheckoutRefused."""
    ip = client_ip(request)
    email = _returning_supporter_email(request)
    if rate_limit_hit(scope="checkout-ip", key=ip, limit=settings.CHECKOUT_RATE_LIMIT_PER_IP) or (
        email
        and rate_limit_hit(
            scope="checkout-email", key=email, limit=settings.CHECKOUT_RATE_LIMIT_PER_EMAIL
        )
    ):
        raise CheckoutRefused(TOO_MANY_ATTEMPTS, status=429)
    try:
        started = contribution_start(
            amount=pledge.amount_minor,
            currency=pledge.currency,
            frequency=pledge.frequency,
            cover_fees=pledge.cover_fees,
            source_article=source_article,
            form_token=_form_token(request),
            client_ip=ip,
            user_agent=request.headers.get("User-Agent", ""),
            customer_email=email,
        )
    except gateway.GatewayError:
        logger.exception("Could not open Stripe Checkout")
        raise CheckoutRefused(PAYMENT_UNAVAILABLE, status=503) from None
    return HttpResponseRedirect(started.url, status=303)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    session_id = request.GET.get("session_id", "")[:255]
    contribution = contribution_confirm(session_id=session_id) if session_id else None
    if contribution is None:
        return render(request, "subscriptions/thanks_unknown.html", status=404)
    confirmed = contribution.status in CONFIRMED_STATUSES
    response = render(
        request,
        "subscriptions/thanks.html",
        {"contribution": contribution, "confirmed": confirmed},
    )
    if confirmed:
        response.set_signed_cookie(
            SUPPORTER_COOKIE,
            str(contribution.public_id),
            salt=SUPPORTER_COOKIE_SALT,
            max_age=settings.SUPPORTER_COOKIE_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response
