"""Writes."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .appeals import default_amounts_minor
from .models import Appeal, AppealAmount, AppealTest, Article
from .page_cache import pages_invalidate

logger = logging.getLogger(__name__)


def article_publish_many(*, articles: QuerySet[Article]) -> int:
    """Publish now; an article that already has a publication time keeps it."""
    # update() skips save(), which is fine: bodies were cleaned when they were saved;
    # it also skips the signals, so the cached pages are dropped here.
    published = articles.update(
        status=Article.Status.PUBLISHED,
        published_at=Coalesce("published_at", timezone.now()),
        modified=timezone.now(),
    )
    pages_invalidate()
    return published


@transaction.atomic
def appeal_create_default(
    *,
    name: str,
    is_live: bool = False,
    language: str = settings.LANGUAGE_CODE,
    heading: str = "",
    body: str = "",
) -> Appeal:
    """An appeal with the default amounts in every configured currency, and the default
    wording unless a heading and body are given (in the appeal's language)."""
    words = {"heading": heading, "body": body} if heading and body else {}
    appeal = Appeal.objects.create(name=name, is_live=False, language=language, **words)
    AppealAmount.objects.bulk_create(
        AppealAmount(
            appeal=appeal, currency=currency, frequency=frequency, amount=amount, position=position
        )
        for currency in settings.CONTRIBUTION_CURRENCIES
        for frequency, amounts in default_amounts_minor(currency=currency).items()
        for position, amount in enumerate(amounts)
    )
    if is_live:
        appeal_make_live(appeal=appeal)
    return appeal


@transaction.atomic
def appeal_make_live(*, appeal: Appeal) -> Appeal:
    """Switch the live appeal of its language; the partial unique constraint guards
    against races. Live appeals in other languages stay live."""
    live = Appeal.objects.select_for_update().filter(is_live=True, language=appeal.language)
    for previous in live.exclude(pk=appeal.pk):
        previous.is_live = False
        previous.save(update_fields=["is_live", "modified"])
    appeal.is_live = True
    appeal.save(update_fields=["is_live", "modified"])
    return appeal


class AppealTestRefused(Exception):
    """The test was left as it was; the message says why and what to do."""


@transaction.atomic
def appeal_test_start(*, test: AppealTest) -> AppealTest:
    """Show the test's variants to readers from now, each to its share of them."""
    test = AppealTest.objects.select_for_update().get(pk=test.pk)
    if test.status != AppealTest.Status.DRAFT:
        raise AppealTestRefused("Only a draft test can be started: make a new test instead.")
    if test.variants.count() < 2:
        raise AppealTestRefused("Add at least two variants (appeals) before starting the test.")
    if AppealTest.objects.filter(status=AppealTest.Status.RUNNING).exists():
        raise AppealTestRefused("Another test is already running: end it first.")
    test.status = AppealTest.Status.RUNNING
    test.started_at = timezone.now()
    test.save(update_fields=["status", "started_at", "modified"])
    return test


def appeal_test_end(*, test: AppealTest, keep: Appeal) -> AppealTest:
    """End a running test and make `keep` (one of its variants) the live appeal; readers
    get no bucket cookie from now on. The counters are flushed first, so the test's
    figures are complete."""
    from .counting import appeal_counts_flush

    try:
        appeal_counts_flush()
    except Exception:
        # Redis is down: the counts wait there, and the beat job adds them later.
        logger.warning("Appeal counts not flushed before the test ended", exc_info=True)
    with transaction.atomic():
        test = AppealTest.objects.select_for_update().get(pk=test.pk)
        if test.status != AppealTest.Status.RUNNING:
            raise AppealTestRefused("This test is not running.")
        if not test.variants.filter(appeal=keep).exists():
            raise AppealTestRefused("Keep one of this test's own variants.")
        test.status = AppealTest.Status.ENDED
        test.ended_at = timezone.now()
        test.winner = keep
        test.save(update_fields=["status", "ended_at", "winner", "modified"])
        appeal_make_live(appeal=keep)
    return test
