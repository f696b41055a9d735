"""The language switch: plain links, so it works without script and on cached pages.

A page shared by every reader cannot carry a CSRF token, so the switch is a GET that sets
the language cookie and answers 303 back to the page it came from. Only a path on this
site is followed back (never another host, a scheme or `//host`): no open redirect.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def safe_return_path(request: HttpRequest, candidate: str) -> str:
    """`candidate` when it is a path on this site, else the front page."""
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts=None, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse("newsroom:front_page")


@require_GET
def language_switch(request: HttpRequest, code: str) -> HttpResponseRedirect:
    if code not in LANGUAGE_CODES:
        raise Http404("No such language.")
    response = HttpResponseRedirect(safe_return_path(request, request.GET.get("next", "")))
    response.status_code = 303
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    response["Cache-Control"] = "no-store"
    return response


def language_links(request: HttpRequest) -> list[dict[str, str | bool]]:
    """One link per language for the header; each comes back to this page (its path and
    `page` number only, the parts the page cache keys on, so a cached page never carries
    another reader's query string)."""
    back = request.path
    if "page" in request.GET:
        back += "?" + urlencode({"page": request.GET["page"]})
    current = get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": reverse("newsroom:language", kwargs={"code": code})
            + "?"
            + urlencode({"next": back}, safe="/"),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
