from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Section
from .selectors import article_list_for_sitemap, author_list_with_public_articles


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return article_list_for_sitemap()

    def lastmod(self, item: Article):
        return item.updated_at or item.published_at


class SectionSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Section.objects.all()


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return author_list_with_public_articles()


class StaticPageSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["newsroom:front_page", "newsroom:support"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "pages": StaticPageSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "articles": ArticleSitemap,
}
