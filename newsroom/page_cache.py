"""Rendered reader pages in Redis, one entry per (page, variant), and the headers that let
a browser, a proxy or a CDN hold them too.

A page is cacheable when its view is marked with `page_cached`. An entry records the
site generation it was rendered under; any change that shows on pages (an article
published or edited, the live appeal, the section list) moves the generation on, so every
older entry is stale at once. One request per page refills a stale or missing entry (it
holds a short lock); the others serve the stale entry meanwhile, or wait briefly for the
fresh one. A warm hit costs one Redis round trip and no SQL.

Staff (anyone with a session cookie) and every non-GET request go to the view as usual.

While an appeal test runs (newsroom.variants), a page that shows the appeal is cached once
per test variant; a new reader's first such page gives them a bucket cookie, and every
page showing a test variant is `private` (no shared cache may hand one reader's variant to
another), while still served from its Redis entry. Each is counted as an impression of
its variant (newsroom.counting: one HINCRBY, no SQL). With no test running, pages set no
cookie and stay `public`.
"""

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_from_request

from subscriptions import reader_state

from . import variants
from .currencies import country_header_name, currency_for_request
from .variants import Assignment

GENERATION_KEY = "newsroom:pages:generation"
ENTRY_PREFIX = "newsroom:page:v1"
APPEAL = reader_state.APPEAL
THANK_YOU = reader_state.THANK_YOU
# Query parameters that change what a cacheable page shows; others (utm_…) share its entry.
VARYING_PARAMETERS = ("page",)
# How long a waiting request polls for the one filler's entry before rendering itself.
FILL_WAIT_SECONDS = 2.0
FILL_POLL_SECONDS = 0.02
# Headers the entry answers with itself, rather than the ones the first render had.
OWN_HEADERS = {"cache-control", "etag", "last-modified", "set-cookie", "content-length"}
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def page_cached(view: View) -> View:
    """Mark a reader page: the same for every reader of one variant, so it may be shared."""
    view.page_cached = True  # type: ignore[attr-defined]
    return view


def shows_appeal(view: View) -> View:
    """Mark a cached page that ends with the appeal: one entry per appeal test variant.

    Its view marks the response with `appeal_page` (the article's id, or 0 for the support
    page) when the appeal was shown, so what is counted is known for cached copies too."""
    view.shows_appeal = True  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class Entry:
    generation: str
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    etag: str
    last_modified: float
    # The page the appeal was shown on (an article id, 0 for /support/), for counting.
    appeal_page: int | None = None


def pages_invalidate() -> None:
    """Every cached page is stale from now (and again at commit, should a page rendered
    inside the transaction have cached the old rows meanwhile)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def _current_generation(stored: str | None) -> str:
    if stored is not None:
        return stored
    cache.add(GENERATION_KEY, uuid.uuid4().hex, None)  # Redis was emptied
    return cache.get(GENERATION_KEY) or ""


def page_variant(request: HttpRequest) -> str:
    """Who is reading: the appeal for a new reader; for a browser that finished a gift (its
    signed cookie), its supporter's state (thank-you, payment-failed, ...), from Redis."""
    return reader_state.reader_state_for_request(request)


def _entry_key(request: HttpRequest, variant: str, assignment: Assignment | None = None) -> str:
    varying = "&".join(
        f"{name}={request.GET.get(name, '')}" for name in VARYING_PARAMETERS if name in request.GET
    )
    page = hashlib.sha256(f"{request.path}?{varying}".encode()).hexdigest()[:32]
    if assignment is not None:
        variant = f"{variant}.v{assignment.slot.variant_id}"
    return f"{ENTRY_PREFIX}:{variant}:{_language(request)}{_currency(request)}:{page}"


def _currency(request: HttpRequest) -> str:
    """The appeal's currency, in the key only where it is not the default one."""
    currency = currency_for_request(request)
    return "" if currency == settings.CONTRIBUTION_DEFAULT_CURRENCY else f":{currency}"


def _language(request: HttpRequest) -> str:
    """The language the page will be rendered in: what LocaleMiddleware will choose from
    the request when the site uses it, else the site's one language."""
    if LOCALE_MIDDLEWARE in settings.MIDDLEWARE:
        return get_language_from_request(request)
    return get_language() or settings.LANGUAGE_CODE


def cache_headers(response: HttpResponseBase, *, variant: str, shared: bool = True) -> None:
    """Who may keep the page and for how long; `Vary: Cookie` keeps a browser from
    showing a new supporter the appeal page it cached before they gave. A page showing
    one appeal test variant is never `shared`: many CDNs ignore `Vary: Cookie`."""
    if variant == APPEAL and shared:
        response["Cache-Control"] = (
            f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, "
            f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}"
        )
    else:
        response["Cache-Control"] = f"private, max-age={settings.PAGE_CACHE_MAX_AGE}"
    # The appeal's currency follows the country header, then Accept-Language.
    patch_vary_headers(response, ["Cookie", country_header_name(), "Accept-Language"])


def _response_from(
    entry: Entry, request: HttpRequest, *, variant: str, assignment: Assignment | None = None
) -> HttpResponseBase:
    response = HttpResponse(entry.content, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.last_modified)
    cache_headers(response, variant=variant, shared=assignment is None)
    conditional = get_conditional_response(
        request, etag=entry.etag, last_modified=int(entry.last_modified), response=response
    )
    return conditional or response


def _seconds_until_next_publication() -> int | None:
    """A scheduled article appears on its own, without a save: no entry may outlive that."""
    from .models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return None
    return max(1, int((upcoming - timezone.now()).total_seconds()) + 1)


def _slot_of(assignment: Assignment | None) -> int | None:
    return assignment.slot.variant_id if assignment is not None else None


def _storable(response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        and "Cache-Control" not in response
    )


def _store(key: str, generation: str, response: HttpResponse) -> Entry:
    content = response.content
    entry = Entry(
        generation=generation,
        status=response.status_code,
        headers=[
            (name, value) for name, value in response.items() if name.lower() not in OWN_HEADERS
        ],
        content=content,
        etag=f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
        last_modified=time.time(),
        appeal_page=getattr(response, "appeal_page", None),
    )
    timeout = settings.PAGE_CACHE_SECONDS
    upcoming = _seconds_until_next_publication()
    cache.set(key, entry, timeout if upcoming is None else min(timeout, upcoming))
    return entry


class PageCacheMiddleware:
    """Serve cacheable reader pages from Redis; place it right after SecurityMiddleware,
    so a hit skips sessions, authentication and the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        view = self._cacheable_view(request)
        if view is None:
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Staff: drafts, previews and their own view of a page; never shared.
            response = self.get_response(request)
            response.setdefault("Cache-Control", "private, no-cache")
            return response
        variant = page_variant(request)
        tested = variant == APPEAL and getattr(view, "shows_appeal", False)
        response, entry = self._serve(request, variant=variant, tested=tested)
        assignment: Assignment | None = getattr(request, "appeal_assignment", None)
        if assignment is not None:
            page = (
                entry.appeal_page if entry is not None else getattr(response, "appeal_page", None)
            )
            variants.tested_page_served(request, response, assignment, appeal_page=page)
        return response

    def _serve(
        self, request: HttpRequest, *, variant: str, tested: bool
    ) -> tuple[HttpResponseBase, Entry | None]:
        """The response, and the entry it came from (None when rendered without one)."""
        known = variants.last_known() if tested else None
        assignment = variants.assign(request, known.running) if known is not None else None
        key = _entry_key(request, variant, assignment)
        found: dict[str, Any] = cache.get_many([key, GENERATION_KEY])
        generation = _current_generation(found.get(GENERATION_KEY))
        if tested and (known is None or known.generation != generation):
            # The tests changed since this process last looked (rare): look again.
            fresh = variants.assign(request, variants.running_test_for(generation))
            if _slot_of(fresh) != _slot_of(assignment):
                key = _entry_key(request, variant, fresh)
                found = {key: cache.get(key)}
            assignment = fresh
        # Always decided here, None on a page not cached per test variant: the appeal on a
        # supporter's or a staff page must not follow a bucket cookie into a shared entry.
        request.appeal_assignment = assignment  # type: ignore[attr-defined]
        entry: Entry | None = found.get(key)
        if entry is not None and entry.generation == generation:
            return _response_from(entry, request, variant=variant, assignment=assignment), entry
        lock = f"{key}:fill"
        if cache.add(lock, 1, settings.PAGE_CACHE_FILL_LOCK_SECONDS):
            try:
                return self._fill(
                    request, key=key, generation=generation, variant=variant, assignment=assignment
                )
            finally:
                cache.delete(lock)
        if entry is not None:  # stale while refilled
            return _response_from(entry, request, variant=variant, assignment=assignment), entry
        fresh_entry = self._wait_for_filler(key, lock, generation)
        if fresh_entry is not None:
            response = _response_from(fresh_entry, request, variant=variant, assignment=assignment)
            return response, fresh_entry
        response = self.get_response(request)
        if response.status_code == 200:
            cache_headers(response, variant=variant, shared=assignment is None)
        return response, None

    def _cacheable_view(self, request: HttpRequest) -> Callable[..., Any] | None:
        if request.method not in ("GET", "HEAD"):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match.func if getattr(match.func, "page_cached", False) else None

    def _fill(
        self,
        request: HttpRequest,
        *,
        key: str,
        generation: str,
        variant: str,
        assignment: Assignment | None,
    ) -> tuple[HttpResponseBase, Entry | None]:
        response = self.get_response(request)
        if not _storable(response):
            return response, None
        assert isinstance(response, HttpResponse)  # noqa: S101 (checked by _storable)
        entry = _store(key, generation, response)
        return _response_from(entry, request, variant=variant, assignment=assignment), entry

    def _wait_for_filler(self, key: str, lock: str, generation: str) -> Entry | None:
        """The filler's entry; None once it gave up (a 404 is not stored) or took too long."""
        deadline = time.monotonic() + FILL_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(FILL_POLL_SECONDS)
            found = cache.get_many([key, lock])
            entry = found.get(key)
            if entry is not None and entry.generation == generation:
                return entry
            if lock not in found:
                return None
        return None
