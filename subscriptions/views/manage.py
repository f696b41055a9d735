"""The supporter's own pages: ask for a link, then see and change their gifts."""

import functools

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from subscriptions import selectors
from subscriptions import stripe_gateway as gateway
from subscriptions.forms import CancelForm, ContributionChangeForm, ManageLinkForm
from subscriptions.models import Contribution, Supporter
from subscriptions.ratelimit import client_ip, rate_limit_hit
from subscriptions.services import contributions
from subscriptions.services.manage import TooManyRequests, manage_link_request
from subscriptions.signing import manage_token_read

LINK_SENT = (
    "Thank you. If that address belongs to one of our supporters, a link to manage your "
    "support is on its way. It works for 24 hours."
)
LINK_EXPIRED = "This link has expired or is not valid. Please ask for a new one below."
STRIPE_UNAVAILABLE = (
    "We could not reach our payment provider, so nothing has changed. Please try again soon."
)


@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, even an empty one, so that it says what is missing.
    form = ManageLinkForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "subscriptions/manage_request.html", {"form": form})
    if not form.is_valid():
        return render(request, "subscriptions/manage_request.html", {"form": form}, status=400)
    try:
        manage_link_request(email=form.cleaned_data["email"], ip=client_ip(request))
    except TooManyRequests:
        return render(request, "subscriptions/too_many_requests.html", status=429)
    return render(request, "subscriptions/manage_request.html", {"sent": LINK_SENT})


def _for_supporter(view):
    """Open a view only with a valid manage token: the supporter it names is passed on;
    an expired or forged token gets the form to ask for a new link."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        if rate_limit_hit(scope="manage-token-ip", key=client_ip(request), limit=120):
            return render(request, "subscriptions/too_many_requests.html", status=429)
        supporter_id = manage_token_read(token)
        supporter = selectors.supporter_get(supporter_id=supporter_id) if supporter_id else None
        if supporter is None:
            context = {"form": ManageLinkForm(), "expired": LINK_EXPIRED}
            return render(request, "subscriptions/manage_request.html", context, status=403)
        return view(request, token, supporter, **kwargs)

    return wrapped


def _page(request: HttpRequest, supporter: Supporter, token: str, *, status: int = 200, **extra):
    contributions = selectors.contribution_list_for_supporter(supporter=supporter)
    context = {
        "supporter": supporter,
        "token": token,
        "contributions": contributions,
        "payments": selectors.payment_list_for_supporter(supporter=supporter),
        "statement_years": selectors.statement_years_for_supporter(supporter=supporter),
        "cancel_form": CancelForm(),
        **extra,
    }
    return render(request, "subscriptions/manage.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@_for_supporter
def manage(request: HttpRequest, token: str, supporter: Supporter) -> HttpResponse:
    return _page(request, supporter, token)


def _contribution_action(view):
    """Resolve the token and the gift, run the change, answer with the page again."""

    @require_POST
    @_for_supporter
    def wrapped(
        request: HttpRequest, token: str, supporter: Supporter, public_id: str
    ) -> HttpResponse:
        contribution = selectors.contribution_get_for_supporter(
            supporter=supporter, public_id=public_id
        )
        if contribution is None:
            raise Http404("No such gift")
        try:
            return view(request, token, supporter, contribution)
        except contributions.ContributionChangeRefused as refusal:
            return _page(request, supporter, token, status=400, error=str(refusal))
        except gateway.GatewayError:
            return _page(request, supporter, token, status=503, error=STRIPE_UNAVAILABLE)

    return wrapped


def _back(token: str) -> HttpResponseRedirect:
    return redirect(reverse("subscriptions:manage", kwargs={"token": token}), permanent=False)


@_contribution_action
def contribution_change(request, token: str, supporter: Supporter, contribution: Contribution):
    form = ContributionChangeForm(request.POST, currency=contribution.currency)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _page(request, supporter, token, status=400, error=errors)
    changed = contributions.contribution_change(
        contribution=contribution,
        amount=form.cleaned_data["amount"],
        frequency=form.cleaned_data["frequency"],
    )
    if changed.scheduled_from:
        messages.success(request, "Done: the switch starts when the period you paid for ends.")
    else:
        messages.success(request, "Done: your new amount applies from your next payment.")
    return _back(token)


@_contribution_action
def contribution_cancel(request, token: str, supporter: Supporter, contribution: Contribution):
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(
            request,
            supporter,
            token,
            status=400,
            cancel_form=form,
            error="Please choose a reason from the list.",
        )
    contributions.contribution_cancel(
        contribution=contribution,
        reason=form.cleaned_data["reason"],
        detail=form.cleaned_data["detail"],
    )
    messages.success(
        request,
        "Your gift will end after the period you have paid for. You can undo this until then.",
    )
    return _back(token)


@_contribution_action
def contribution_resume(request, token: str, supporter: Supporter, contribution: Contribution):
    contributions.contribution_resume(contribution=contribution)
    messages.success(request, "Thank you: your gift continues as before.")
    return _back(token)


@_contribution_action
def contribution_card(request, token: str, supporter: Supporter, contribution: Contribution):
    return_url = request.build_absolute_uri(
        reverse("subscriptions:manage", kwargs={"token": token})
    )
    url = contributions.contribution_card_update_url(
        contribution=contribution, return_url=return_url
    )
    return HttpResponseRedirect(url, status=303)


@require_http_methods(["GET", "HEAD"])
@_for_supporter
def statement(request: HttpRequest, token: str, supporter: Supporter, year: int) -> HttpResponse:
    """A year's giving statement: printable, and downloadable with ?download=1."""
    payments = list(selectors.payment_list_for_year(supporter=supporter, year=year))
    context = {
        "supporter": supporter,
        "year": year,
        "payments": payments,
        "totals": selectors.giving_totals(payments),
        "token": token,
    }
    response = render(request, "subscriptions/statement.html", context)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="giving-statement-{year}.html"'
    return response
