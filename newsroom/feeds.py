from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from .models import Article
from .selectors import article_list_published

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    description = gettext_lazy("The latest stories, newest first.")

    def title(self) -> str:
        # The same words as the feed's link in every page's head.
        return gettext("%(NEWSROOM_NAME)s: latest stories") % {
            "NEWSROOM_NAME": settings.NEWSROOM_NAME
        }

    def link(self) -> str:
        return reverse("newsroom:front_page")

    def items(self):
        return article_list_published().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.authors.all())

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name, *(tag.name for tag in item.tags.all())]

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at or item.published_at
