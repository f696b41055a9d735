"""The reader's gift: who is giving (from the request), and the thanks page after Stripe."""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from subscriptions import selectors
from subscriptions.ratelimit import client_ip
from subscriptions.services.checkout import (
    CONFIRMED_STATUSES,
    CheckoutClient,
    contribution_confirm,
)
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT


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


def checkout_client(request: HttpRequest) -> CheckoutClient:
    """The giver as the checkout service needs them: address, browser, form, cookie."""
    return CheckoutClient(
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        form_token=_form_token(request),
        returning_email=_returning_supporter_email(request),
    )


@never_cache
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
