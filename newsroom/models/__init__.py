from .appeal import Appeal, AppealAmount
from .appeal_tests import AppealTallyFlush, AppealTest, AppealVariant, AppealVariantTally
from .articles import Article, ArticleQuerySet, Author, Section, Tag
from .goal import CampaignGoal, GoalKind

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
    "CampaignGoal",
    "GoalKind",
    "Section",
    "Tag",
]
