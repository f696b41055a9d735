"""Reads. Public pages only ever see published articles whose time has come."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import get_language

from . import cache_keys
from .appeals import AppealConfig, appeal_config_default
from .models import Appeal, Article, ArticleQuerySet, Author, Section

PAGE_SIZE = 10
FRONT_PAGE_LATEST = 6
FRONT_PAGE_PER_SECTION = 4


def article_list_published() -> ArticleQuerySet:
    """Newest first, with what a listing shows (section, authors)."""
    return Article.objects.published().for_listing().order_by("-published_at", "-id")


def article_get_for_reader(*, slug: str, include_unpublished: bool = False) -> Article:
    """One article with everything its page shows; drafts only when include_unpublished."""
    articles = Article.objects.all() if include_unpublished else Article.objects.published()
    article = (
        articles.select_related("section")
        .prefetch_related("authors", "tags")
        .filter(slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No article here.")
    return article


@dataclass(frozen=True)
class SectionBlock:
    section: Section
    articles: list[Article]


@dataclass(frozen=True)
class FrontPage:
    lead: Article | None
    latest: list[Article]
    sections: list[SectionBlock]


def front_page_get() -> FrontPage:
    # Two queries for articles (and one for authors) whatever the number of sections.
    latest = list(article_list_published()[: FRONT_PAGE_LATEST + 1])
    ranked = (
        article_list_published()
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("section_id")],
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=FRONT_PAGE_PER_SECTION)
        .order_by("section__position", "section__name", "rank")
    )
    blocks: dict[int, SectionBlock] = {}
    for article in ranked:
        block = blocks.setdefault(article.section_id, SectionBlock(article.section, []))
        block.articles.append(article)
    return FrontPage(
        lead=latest[0] if latest else None,
        latest=latest[1:],
        sections=list(blocks.values()),
    )


def section_get(*, slug: str) -> Section:
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        raise Http404("No section here.")
    return section


def author_get(*, slug: str) -> Author:
    author = Author.objects.filter(slug=slug).first()
    if author is None:
        raise Http404("No author here.")
    return author


def article_page_for_section(*, section: Section, page_number: str | None) -> Page:
    articles = article_list_published().filter(section=section)
    return Paginator(articles, PAGE_SIZE).get_page(page_number)


def article_page_for_author(*, author: Author, page_number: str | None) -> Page:
    articles = article_list_published().filter(authors=author)
    return Paginator(articles, PAGE_SIZE).get_page(page_number)


def article_list_for_sitemap() -> ArticleQuerySet:
    return (
        Article.objects.published()
        .only("slug", "published_at", "updated_at")
        .order_by("-published_at", "-id")
    )


def author_list_with_public_articles() -> QuerySet[Author]:
    """Authors with something public: a page listing nothing helps nobody."""
    public = Article.objects.published()
    return Author.objects.filter(articles__in=public).distinct().order_by("name")


def section_list_nav() -> list[dict[str, str]]:
    """Sections for the site navigation: cached, because every page shows them."""
    sections = cache.get(cache_keys.NAV_SECTIONS)
    if sections is None:
        sections = [
            {"name": section.name, "url": section.get_absolute_url()}
            for section in Section.objects.only("name", "slug")
        ]
        cache.set(cache_keys.NAV_SECTIONS, sections, cache_keys.CACHE_SECONDS)
    return sections


def appeal_get_live() -> AppealConfig:
    """The live appeal of the active language as plain data, cached (per language) until
    an appeal or amount is saved."""
    language = get_language() or settings.LANGUAGE_CODE
    key = cache_keys.live_appeal(language)
    config = cache.get(key)
    if config is None:
        config = _appeal_config_from_db(language)
        cache.set(key, config, cache_keys.CACHE_SECONDS)
    return config


def appeal_get(*, appeal_id: int) -> AppealConfig | None:
    """One appeal (an appeal test's variant) as plain data, cached until it is saved; None
    when it is gone or written in another language than the page's (that page shows its
    own language's live appeal, and the test does not count it)."""
    key = cache_keys.appeal(appeal_id)
    found: tuple[str, AppealConfig] | None = cache.get(key)
    if found is None:
        appeal = Appeal.objects.filter(pk=appeal_id).prefetch_related("amounts").first()
        if appeal is None:
            return None
        found = (appeal.language, _appeal_config(appeal))
        cache.set(key, found, cache_keys.CACHE_SECONDS)
    language, config = found
    if language != (get_language() or settings.LANGUAGE_CODE):
        return None
    return config


def _appeal_config_from_db(language: str) -> AppealConfig:
    appeal = (
        Appeal.objects.filter(is_live=True, language=language).prefetch_related("amounts").first()
    )
    if appeal is None:
        return appeal_config_default()
    return _appeal_config(appeal)


def _appeal_config(appeal: Appeal) -> AppealConfig:
    amounts: dict[str, dict[str, list[int]]] = {}
    for row in appeal.amounts.all():
        amounts.setdefault(row.currency, {}).setdefault(row.frequency, []).append(row.amount)
    return AppealConfig(
        heading=appeal.heading,
        body=appeal.body,
        default_frequency=appeal.default_frequency,
        amounts=amounts,
    )


def appeal_suggested_amounts(currency: str, frequency: str) -> list[int]:
    """The live appeal's suggested amounts, for the manage page's switch of frequency."""
    return appeal_get_live().suggested(currency=currency, frequency=frequency)
