"""One-click unsubscribe from reminders: works without login, from any old email."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import selectors
from subscriptions.services.supporters import supporter_unsubscribe_reminders
from subscriptions.signing import unsubscribe_token_read


# Mail providers POST "List-Unsubscribe=One-Click" (RFC 8058) with no cookie or CSRF
# token; the signed token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    supporter_id = unsubscribe_token_read(token)
    supporter = selectors.supporter_get(supporter_id=supporter_id) if supporter_id else None
    if supporter is None:
        return render(request, "subscriptions/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        supporter_unsubscribe_reminders(supporter)
        return render(request, "subscriptions/unsubscribe.html", {"done": True})
    context = {"supporter": supporter, "already": supporter.reminders_unsubscribed_at is not None}
    return render(request, "subscriptions/unsubscribe.html", context)
