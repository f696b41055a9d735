from .appeal import Appeal, AppealAmount
from .articles import Article, ArticleQuerySet, Author, Section, Tag

__all__ = [
    "Appeal",
    "AppealAmount",
    "Article",
    "ArticleQuerySet",
    "Author",
    "Section",
    "Tag",
]
