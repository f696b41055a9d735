"""The appeal form's guard against cross-site posts, in place of a per-reader CSRF token.

A token would make every article page differ per reader (and set a cookie), so no cache
could share it. Every current browser says where a post comes from: `Sec-Fetch-Site`, and
`Origin`. A post another site makes a browser send is refused; a post with neither header
(an old browser, a script) is let through: starting a checkout moves no money, and it is
rate-limited per address.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

ACCEPTED_FETCH_SITES = {"same-origin", "same-site", "none"}
REFUSED_TEMPLATE = "newsroom/cross_site_refused.html"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(request: HttpRequest) -> set[str]:
    """The site's own origin (as configured and as this request reached us), plus any
    the deployment trusts for Django's CSRF checks (CSRF_TRUSTED_ORIGINS)."""
    origins = {_origin(settings.SITE_URL), _origin(request.build_absolute_uri("/"))}
    return origins | {origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS}


def post_is_cross_site(request: HttpRequest) -> bool:
    if request.headers.get("Sec-Fetch-Site", "").lower() not in ACCEPTED_FETCH_SITES | {""}:
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin.lower() not in trusted_origins(request)


def cross_site_posts_refused(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Exempt a reader form from Django's CSRF token and check where its posts come from."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "POST" and post_is_cross_site(request):
            return render(request, REFUSED_TEMPLATE, status=403)
        return view(request, *args, **kwargs)

    return csrf_exempt(guarded)
