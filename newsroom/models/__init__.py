from .appeal import Appeal, AppealAmount
from .appeal_tests import AppealTallyFlush, AppealTest, AppealVariant, AppealVariantTally
from .articles import Article, ArticleQuerySet, Author, Section, Tag

__all__ = [
    "Appeal",
    "AppealAmount",
    "AppealTallyFlush",
    "AppealTest",
    "AppealVariant",
    "AppealVariantTally",
    "Article",
    "ArticleQuerySet",
    "Author",
    "Section",
    "Tag",
]
