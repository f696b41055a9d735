"""Reader pages. Each view: one selector call, one form at most, one response.

`page_cached` pages are the same for every reader of one variant (appeal or thank-you):
newsroom.page_cache serves them from Redis, and the appeal form on them carries no
per-reader token (newsroom.origin guards it against cross-site posts instead)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from subscriptions.models import Upsell
from subscriptions.money import major_units_text, money_format
from subscriptions.pledges import Frequency
from subscriptions.services.checkout import CheckoutRefused, CheckoutSource, checkout_open
from subscriptions.views.checkout import checkout_client, checkout_redirect

from . import selectors
from .appeals import AppealConfig
from .counting import FORM_START, SUPPORT_PAGE, appeal_count
from .forms import AppealForm
from .models import Article
from .origin import cross_site_posts_refused
from .page_cache import page_cached, shows_appeal
from .variants import running_test_current

ARTICLE_TEMPLATE = "newsroom/article_detail.html"
SUPPORT_TEMPLATE = "newsroom/support.html"
UPSELL_TEMPLATE = "newsroom/upsell.html"


def appeal_respond(
    request: HttpRequest,
    *,
    template_name: str,
    context: dict,
    source_article: Article | None = None,
) -> HttpResponse:
    """Handle a posted appeal form on whichever page it was shown.

    The one place a gift is accepted: a valid form answers 303 to Stripe Checkout; a
    refusal (too many attempts, Stripe unreachable) re-renders with its sentence.
    """
    form = AppealForm(request.POST)
    valid = form.is_valid()
    variant_id = form.cleaned_data.get("appeal_variant")
    page = source_article.pk if source_article is not None else SUPPORT_PAGE
    # One start per form: the answer to the once-to-monthly offer posts it again.
    answered_offer = "upsell" in request.POST
    if variant_id is not None and not answered_offer and not form.has_error("__all__", "honeypot"):
        appeal_count(variant_id=variant_id, article_id=page, metric=FORM_START)
    if not valid:
        return render(request, template_name, {**context, "appeal_form": form}, status=400)
    offer = _monthly_offer(form)
    if offer is not None:
        return _upsell_respond(request, form=form, offer=offer)
    try:
        started = checkout_open(
            pledge=form.pledge(),
            source=_checkout_source(source_article, appeal_variant_id=variant_id),
            client=checkout_client(request),
            # The language the appeal was shown in: Checkout and the supporter's emails use it.
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except CheckoutRefused as refusal:
        extra = {"appeal_form": form, "appeal_error": refusal.reason}
        return render(request, template_name, {**context, **extra}, status=refusal.status)
    return checkout_redirect(request, started)


def _monthly_offer(form: AppealForm) -> int | None:
    """A smaller monthly gift to offer a reader who chose "once" and has not answered yet,
    from the appeal they were shown (their appeal test variant's, while a test runs)."""
    pledge = form.pledge()
    if pledge.frequency != Frequency.ONCE or form.cleaned_data.get("upsell"):
        return None
    return _appeal_shown(form.cleaned_data.get("appeal_variant")).monthly_offer(
        currency=pledge.currency, once_minor=pledge.amount_minor
    )


def _appeal_shown(variant_id: int | None) -> AppealConfig:
    slot = None
    if variant_id is not None:
        running = running_test_current()
        slot = running.slot(variant_id) if running is not None else None
    shown = selectors.appeal_get(appeal_id=slot.appeal_id) if slot is not None else None
    return shown or selectors.appeal_get_live()


def _upsell_respond(request: HttpRequest, *, form: AppealForm, offer: int) -> HttpResponse:
    """Before checkout, without script: "Give €5 monthly instead" or "No, give €25 once".
    The page repeats the reader's gift in hidden fields; either button posts it back."""
    pledge = form.pledge()
    currency = pledge.currency
    response = render(
        request,
        UPSELL_TEMPLATE,
        {
            "once_amount": major_units_text(pledge.amount_minor, currency=currency),
            "once_shown": money_format(pledge.amount_minor, currency=currency),
            "monthly_amount": major_units_text(offer, currency=currency),
            "monthly_shown": money_format(offer, currency=currency),
            "currency": currency,
            "cover_fees": pledge.cover_fees,
            "form_token": form.data.get("form_token", ""),
            "appeal_variant": form.cleaned_data.get("appeal_variant"),
            "accepted": Upsell.ACCEPTED,
            "declined": Upsell.DECLINED,
        },
    )
    add_never_cache_headers(response)
    return response


def _checkout_source(article: Article | None, *, appeal_variant_id: int | None) -> CheckoutSource:
    """A reader who cancels at Stripe comes back to the page they gave from."""
    if article is None:
        return CheckoutSource(
            return_path=reverse("newsroom:support"), appeal_variant_id=appeal_variant_id
        )
    return CheckoutSource(
        return_path=article.get_absolute_url(),
        article_id=article.pk,
        article_slug=article.slug,
        appeal_variant_id=appeal_variant_id,
    )


@page_cached
@require_GET
def front_page(request: HttpRequest) -> HttpResponse:
    return render(request, "newsroom/front_page.html", {"front": selectors.front_page_get()})


@page_cached
@shows_appeal
@cross_site_posts_refused
@require_http_methods(["GET", "HEAD", "POST"])
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Staff may read drafts and future-dated articles; everyone else gets a 404.
    article = selectors.article_get_for_reader(slug=slug, include_unpublished=request.user.is_staff)
    context = {"article": article}
    # The story's language, not the reader's: its page and appeal read as one.
    with translation.override(article.language):
        if request.method == "POST":
            return appeal_respond(
                request, template_name=ARTICLE_TEMPLATE, context=context, source_article=article
            )
        response = render(request, ARTICLE_TEMPLATE, context)
    response["Content-Language"] = article.language
    if not getattr(request, "appeal_variant_hidden", False):
        response.appeal_page = article.pk  # type: ignore[attr-defined]
    return response


@page_cached
@shows_appeal
@cross_site_posts_refused
@require_http_methods(["GET", "HEAD", "POST"])
def support(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return appeal_respond(request, template_name=SUPPORT_TEMPLATE, context={})
    response = render(request, SUPPORT_TEMPLATE)
    if not getattr(request, "appeal_variant_hidden", False):
        response.appeal_page = SUPPORT_PAGE  # type: ignore[attr-defined]
    return response


@page_cached
@require_GET
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = selectors.section_get(slug=slug)
    page = selectors.article_page_for_section(section=section, page_number=request.GET.get("page"))
    return render(request, "newsroom/section_detail.html", {"section": section, "page": page})


@page_cached
@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = selectors.author_get(slug=slug)
    page = selectors.article_page_for_author(author=author, page_number=request.GET.get("page"))
    return render(request, "newsroom/author_detail.html", {"author": author, "page": page})
