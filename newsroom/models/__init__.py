from .appeal import Appeal, AppealAmount, Frequency
from .articles import Article, ArticleQuerySet, Author, Section, Tag

__all__ = [
    "Appeal",
    "AppealAmount",
    "Article",
    "ArticleQuerySet",
    "Author",
    "Frequency",
    "Section",
    "Tag",
]
