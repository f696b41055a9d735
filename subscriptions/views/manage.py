"""The supporter's own pages: ask for a link, open it, then see and change their gifts.

A link from an email is exchanged at once for a short manage session (a signed,
HttpOnly cookie) and a redirect to a URL without the token, so tokens never reach
access logs, error pages or a Referer. Every page here is `no-store`.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from subscriptions import selectors
from subscriptions import stripe_gateway as gateway
from subscriptions.forms import CancelForm, ContributionChangeForm, ManageLinkForm
from subscriptions.models import Contribution, Supporter
from subscriptions.privacy import export_as_json, supporter_export
from subscriptions.ratelimit import client_ip, rate_limit_hit
from subscriptions.services import contributions
from subscriptions.services.manage import TooManyRequests, manage_link_request
from subscriptions.services.supporters import supporter_sign_out_everywhere
from subscriptions.signing import (
    MANAGE_SESSION_COOKIE,
    MANAGE_SESSION_SALT,
    STATEMENT,
    ManageGrant,
    manage_token_read,
)

LINK_SENT = _(
    "Thank you. If that address belongs to one of our supporters, a link to manage your "
    "support is on its way. It works for 24 hours."
)
LINK_EXPIRED = _("This link has expired or is not valid. Please ask for a new one below.")
SESSION_ENDED = _(
    "For your safety, your session on this page has ended. Please ask for a new link below."
)
SIGNED_OUT = _(
    "You are signed out on every device. Links we sent you before no longer work; "
    "ask for a new one below whenever you need it."
)
STRIPE_UNAVAILABLE = _(
    "We could not reach our payment provider, so nothing has changed. Please try again soon."
)
SESSION_PATH = "/support/manage/"

View = Callable[..., HttpResponse]


def _words(extra: dict[str, Any]) -> dict[str, Any]:
    """Sentences (lazy translations) as text in the request's language, for templates and
    anything that reads the context."""
    return {
        name: str(value) if isinstance(value, Promise) else value for name, value in extra.items()
    }


def _request_form(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"form": ManageLinkForm(), **_words(extra)}
    return render(request, "subscriptions/manage_request.html", context, status=status)


def _session_grant(request: HttpRequest) -> ManageGrant | None:
    value = request.get_signed_cookie(
        MANAGE_SESSION_COOKIE,
        default=None,
        salt=MANAGE_SESSION_SALT,
        max_age=settings.MANAGE_SESSION_MAX_AGE,
    )
    return ManageGrant.load(value) if value else None


def _session_supporter(request: HttpRequest) -> Supporter | None:
    """The supporter whose manage session this browser holds, if it is still good."""
    grant = _session_grant(request)
    if grant is None or not grant.opens_manage_page:
        return None
    return selectors.supporter_for_grant(grant=grant)


def _session_end(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(MANAGE_SESSION_COOKIE, path=SESSION_PATH, samesite="Lax")
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    """GET: the supporter's page in a manage session, else the form to ask for a link."""
    if request.method != "POST":
        supporter = _session_supporter(request)
        if supporter is not None:
            return _page(request, supporter)
        if MANAGE_SESSION_COOKIE in request.COOKIES:
            return _session_end(_request_form(request, expired=SESSION_ENDED))
        return _request_form(request)
    # Bound on every POST, even an empty one, so that it says what is missing.
    form = ManageLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "subscriptions/manage_request.html", {"form": form}, status=400)
    try:
        manage_link_request(email=form.cleaned_data["email"], ip=client_ip(request))
    except TooManyRequests:
        return render(request, "subscriptions/too_many_requests.html", status=429)
    return render(request, "subscriptions/manage_request.html", {"sent": str(LINK_SENT)})


@never_cache
@require_http_methods(["GET", "HEAD"])
def manage_link_open(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange a valid link for a manage session; answer 303 to the page without it."""
    if rate_limit_hit(scope="manage-token-ip", key=client_ip(request), limit=120):
        response = render(request, "subscriptions/too_many_requests.html", status=429)
    else:
        grant = manage_token_read(token)
        if grant is None or selectors.supporter_for_grant(grant=grant) is None:
            response = _request_form(request, status=403, expired=LINK_EXPIRED)
        else:
            target = (
                reverse("subscriptions:statement", kwargs={"year": grant.year})
                if grant.purpose == STATEMENT
                else reverse("subscriptions:manage_request")
            )
            response = HttpResponseRedirect(target, status=303)
            response.set_signed_cookie(
                MANAGE_SESSION_COOKIE,
                grant.dump(),
                salt=MANAGE_SESSION_SALT,
                max_age=settings.MANAGE_SESSION_MAX_AGE,
                path=SESSION_PATH,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
    # The page at this URL must not pass the token on to anything it links to.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _for_supporter(view: View) -> View:
    """Open a view only in a good manage session: the supporter is passed on; an ended
    or forged session gets the form to ask for a new link."""

    # A supporter's own data: no browser, proxy or CDN keeps a copy (no-store).
    @never_cache
    @functools.wraps(view)
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        supporter = _session_supporter(request)
        if supporter is None:
            return _session_end(_request_form(request, status=403, expired=SESSION_ENDED))
        return view(request, supporter, **kwargs)

    return wrapped


def _page(
    request: HttpRequest, supporter: Supporter, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "supporter": supporter,
        "contributions": selectors.contribution_list_for_supporter(supporter=supporter),
        "payments": selectors.payment_list_for_supporter(supporter=supporter),
        "statement_years": selectors.statement_years_for_supporter(supporter=supporter),
        "cancel_form": CancelForm(),
        **_words(extra),
    }
    return render(request, "subscriptions/manage.html", context, status=status)


@never_cache
@require_POST
@_for_supporter
def sign_out_everywhere(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    supporter_sign_out_everywhere(supporter=supporter)
    messages.success(request, SIGNED_OUT)
    return _session_end(HttpResponseRedirect(reverse("subscriptions:manage_request"), status=303))


def _contribution_action(view: View) -> View:
    """Resolve the session and the gift, run the change, answer with the page again."""

    @never_cache
    @require_POST
    @_for_supporter
    @functools.wraps(view)
    def wrapped(request: HttpRequest, supporter: Supporter, public_id: str) -> HttpResponse:
        contribution = selectors.contribution_get_for_supporter(
            supporter=supporter, public_id=public_id
        )
        if contribution is None:
            raise Http404("No such gift")
        try:
            return view(request, supporter, contribution)
        except contributions.ContributionChangeRefused as refusal:
            return _page(request, supporter, status=400, error=str(refusal))
        except gateway.GatewayError:
            return _page(request, supporter, status=503, error=STRIPE_UNAVAILABLE)

    return wrapped


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("subscriptions:manage_request"))


@_contribution_action
def contribution_change(
    request: HttpRequest, supporter: Supporter, contribution: Contribution
) -> HttpResponse:
    form = ContributionChangeForm(request.POST, currency=contribution.currency)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _page(request, supporter, status=400, error=errors)
    changed = contributions.contribution_change(
        contribution=contribution,
        amount=form.cleaned_data["amount"],
        frequency=form.cleaned_data["frequency"],
    )
    if changed.scheduled_from:
        messages.success(request, _("Done: the switch starts when the period you paid for ends."))
    else:
        messages.success(request, _("Done: your new amount applies from your next payment."))
    return _back()


@_contribution_action
def contribution_cancel(
    request: HttpRequest, supporter: Supporter, contribution: Contribution
) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(
            request,
            supporter,
            status=400,
            cancel_form=form,
            error=_("Please choose a reason from the list."),
        )
    contributions.contribution_cancel(
        contribution=contribution,
        reason=form.cleaned_data["reason"],
        detail=form.cleaned_data["detail"],
    )
    messages.success(
        request,
        _("Your gift will end after the period you have paid for. You can undo this until then."),
    )
    return _back()


@_contribution_action
def contribution_resume(
    request: HttpRequest, supporter: Supporter, contribution: Contribution
) -> HttpResponse:
    contributions.contribution_resume(contribution=contribution)
    messages.success(request, _("Thank you: your gift continues as before."))
    return _back()


@_contribution_action
def contribution_card(
    request: HttpRequest, supporter: Supporter, contribution: Contribution
) -> HttpResponse:
    return_url = request.build_absolute_uri(reverse("subscriptions:manage_request"))
    url = contributions.contribution_card_update_url(
        contribution=contribution, return_url=return_url
    )
    return HttpResponseRedirect(url, status=303)


@never_cache
@require_http_methods(["GET", "HEAD"])
def statement(request: HttpRequest, year: int) -> HttpResponse:
    """A year's giving statement: printable, and downloadable with ?download=1.

    Opened from a manage session, or from the year-end email's link for that year only.
    """
    grant = _session_grant(request)
    if grant is None or not grant.opens_statement(year):
        return _session_end(_request_form(request, status=403, expired=SESSION_ENDED))
    supporter = selectors.supporter_for_grant(grant=grant)
    if supporter is None:
        return _session_end(_request_form(request, status=403, expired=SESSION_ENDED))
    # Only years with payments have a statement (and 0 or 1000000 are not years at all).
    if year not in selectors.statement_years_for_supporter(supporter=supporter):
        raise Http404("No statement for that year")
    payments = list(selectors.payment_list_for_year(supporter=supporter, year=year))
    context = {
        "supporter": supporter,
        "year": year,
        "payments": payments,
        "totals": selectors.giving_totals(payments),
        "can_manage": grant.opens_manage_page,
    }
    response = render(request, "subscriptions/statement.html", context)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="giving-statement-{year}.html"'
    return response


@require_http_methods(["GET", "HEAD"])
@_for_supporter
def export(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    """Everything we hold about the supporter, as a JSON download."""
    response = HttpResponse(
        export_as_json(supporter_export(supporter=supporter)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-support-data.json"'
    response["Cache-Control"] = "no-store"
    return response
