from .appeal import Appeal, AppealAmount
from .articles import Article, ArticleQuerySet, Author, Section, Tag
from .goal import CampaignGoal, GoalKind

__all__ = [
    "Appeal",
    "AppealAmount",
    "Article",
    "ArticleQuerySet",
    "Author",
    "CampaignGoal",
    "GoalKind",
    "Section",
    "Tag",
]
