"""Drop cached reads when the rows behind them change (admin saves included)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache_keys
from .models import Appeal, AppealAmount, Section


def _forget(key: str) -> None:
    cache.delete(key)
    # Again after commit: a page rendered before the commit may have cached old rows.
    transaction.on_commit(lambda: cache.delete(key))


@receiver([post_save, post_delete], sender=Section)
def section_changed(**kwargs) -> None:
    _forget(cache_keys.NAV_SECTIONS)


@receiver([post_save, post_delete], sender=Appeal)
@receiver([post_save, post_delete], sender=AppealAmount)
def appeal_changed(**kwargs) -> None:
    _forget(cache_keys.LIVE_APPEAL)
