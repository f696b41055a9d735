"""Drop cached reads and pages when the rows behind them change (admin saves included)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import cache_keys
from .goals import goal_progress_refresh
from .models import (
    Appeal,
    AppealAmount,
    AppealTest,
    AppealVariant,
    Article,
    Author,
    CampaignGoal,
    Section,
    Tag,
)
from .page_cache import pages_invalidate
from .variants import running_test_publish


def _forget(key: str) -> None:
    cache.delete(key)
    # Again after commit: a page rendered before the commit may have cached old rows.
    transaction.on_commit(lambda: cache.delete(key))


@receiver([post_save, post_delete], sender=Section)
def section_changed(**kwargs) -> None:
    _forget(cache_keys.NAV_SECTIONS)
    pages_invalidate()


@receiver([post_save, post_delete], sender=Appeal)
@receiver([post_save, post_delete], sender=AppealAmount)
def appeal_changed(sender, instance, **kwargs) -> None:
    for key in cache_keys.live_appeal_keys():
        _forget(key)
    _forget(cache_keys.appeal(instance.pk if sender is Appeal else instance.appeal_id))
    pages_invalidate()


@receiver([post_save, post_delete], sender=AppealTest)
@receiver([post_save, post_delete], sender=AppealVariant)
def appeal_test_changed(**kwargs) -> None:
    """A test started, ended or reweighted: the running test is read again (from what is
    committed: a rolled-back change leaves no trace), published to every process once
    this commits, and every page is stale (so each process looks again)."""
    cache.delete(cache_keys.RUNNING_TEST)
    transaction.on_commit(running_test_publish)
    pages_invalidate()


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=Tag)
@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.tags.through)
def page_content_changed(**kwargs) -> None:
    """An article published, edited or withdrawn shows on the next request."""
    pages_invalidate()


@receiver([post_save, post_delete], sender=CampaignGoal)
def goal_changed(**kwargs) -> None:
    """A goal set, moved or removed shows at once, counted afresh."""
    transaction.on_commit(goal_progress_refresh)
