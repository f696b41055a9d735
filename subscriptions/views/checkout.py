"""The reader's gift: who is giving (from the request), and the thanks page after Stripe."""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from subscriptions import selectors
from subscriptions.ratelimit import client_ip
from subscriptions.services.checkout import (
    CONFIRMED_STATUSES,
    CheckoutClient,
    CheckoutStarted,
    contribution_confirm,
)
from subscriptions.signing import (
    CHECKOUT_COOKIE,
    CHECKOUT_COOKIE_SALT,
    SUPPORTER_COOKIE,
    SUPPORTER_COOKIE_SALT,
)

THANKS_PATH = "/support/thanks/"


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
    """The giver as the checkout service needs them: address, form, cookie."""
    return CheckoutClient(
        ip=client_ip(request),
        form_token=_form_token(request),
        user_agent=request.headers.get("User-Agent", ""),
        returning_email=_returning_supporter_email(request),
    )


def checkout_redirect(request: HttpRequest, started: CheckoutStarted) -> HttpResponse:
    """303 to Stripe Checkout, remembering in this browser (only) which gift it started,
    so the thanks page shows the gift's details to this browser and no other.

    Set on the redirect alone: the pages the form is on stay free of cookies and cacheable.
    """
    response = HttpResponseRedirect(started.url, status=303)
    response.set_signed_cookie(
        CHECKOUT_COOKIE,
        str(started.contribution.public_id),
        salt=CHECKOUT_COOKIE_SALT,
        max_age=settings.CHECKOUT_COOKIE_MAX_AGE,
        path=THANKS_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _started_here(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(
        CHECKOUT_COOKIE,
        default=None,
        salt=CHECKOUT_COOKIE_SALT,
        max_age=settings.CHECKOUT_COOKIE_MAX_AGE,
    )


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """The gift's details, once, to the browser that started its checkout; a plain thank
    you to anyone else with the link (a shared computer, a copied address bar)."""
    session_id = request.GET.get("session_id", "")[:255]
    known = selectors.contribution_for_checkout_session(session_id=session_id)
    if known is None:
        return render(request, "subscriptions/thanks_unknown.html", status=404)
    if str(known.public_id) != _started_here(request):
        return render(request, "subscriptions/thanks.html", {"details": False})
    contribution = contribution_confirm(session_id=session_id)
    if contribution is None:
        return render(request, "subscriptions/thanks_unknown.html", status=404)
    confirmed = contribution.status in CONFIRMED_STATUSES
    response = render(
        request,
        "subscriptions/thanks.html",
        {"contribution": contribution, "confirmed": confirmed, "details": True},
    )
    if confirmed:
        # Shown once: a reload, or the next person at this computer, sees no details.
        response.delete_cookie(CHECKOUT_COOKIE, path=THANKS_PATH, samesite="Lax")
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
