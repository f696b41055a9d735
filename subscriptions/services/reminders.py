"""The daily and yearly scans that beat runs: card expiry, win-back, year-end statements."""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscriptions import selectors
from subscriptions.models import Contribution, EmailKind, Supporter
from subscriptions.models.supporters import CHANGEABLE_STATUSES

from .outbox import email_queue

# Win-back goes to plans that ended 30 to 60 days ago; older endings are left in peace.
WIN_BACK_AFTER = timedelta(days=30)
WIN_BACK_UNTIL = timedelta(days=60)


def card_expiry_date(contribution: Contribution) -> datetime | None:
    """The moment the card stops working: the end of its expiry month."""
    if not (contribution.card_exp_year and contribution.card_exp_month):
        return None
    year, month = contribution.card_exp_year, contribution.card_exp_month
    last_day = calendar.monthrange(year, month)[1]
    return datetime(year, month, last_day, 23, 59, 59, tzinfo=UTC)


def card_expiry_scan() -> int:
    """Warn supporters whose card expires before their next payment; once per card."""
    count = 0
    running = Contribution.objects.filter(
        status__in=CHANGEABLE_STATUSES,
        cancel_at_period_end=False,
        card_exp_year__isnull=False,
        current_period_end__isnull=False,
        supporter__isnull=False,
    ).select_related("supporter")
    for contribution in running.iterator():
        expires = card_expiry_date(contribution)
        period_end = contribution.current_period_end
        if expires is not None and period_end is not None and expires < period_end:
            with transaction.atomic():
                email_queue(
                    kind=EmailKind.CARD_EXPIRING,
                    supporter=contribution.supporter,
                    contribution=contribution,
                )
            count += 1
    return count


def win_back_scan(*, now: datetime | None = None) -> int:
    """Ask supporters whose plan ended a month ago to come back: once, and never anyone
    who has given again since."""
    now = now or timezone.now()
    ended = (
        Contribution.objects.filter(
            status="canceled",
            ended_at__range=(now - WIN_BACK_UNTIL, now - WIN_BACK_AFTER),
            supporter__isnull=False,
        )
        .select_related("supporter")
        .order_by("supporter_id", "-ended_at")
        .distinct("supporter_id")
    )
    count = 0
    for contribution in ended:
        supporter = contribution.supporter
        if supporter is None:
            continue
        gave_again = supporter.contributions.filter(status__in=CHANGEABLE_STATUSES).exists() or (
            supporter.payments.filter(paid_at__gt=contribution.ended_at).exists()
        )
        if gave_again:
            continue
        with transaction.atomic():
            email_queue(kind=EmailKind.WIN_BACK, supporter=supporter, contribution=contribution)
        count += 1
    return count


def year_end_statements_send(*, year: int | None = None) -> int:
    """Early January: each supporter who gave last year gets their statement, once."""
    if year is None:
        year = timezone.localtime(timezone.now(), ZoneInfo(settings.NEWSROOM_TIME_ZONE)).year - 1
    start, end = selectors.year_bounds(year)
    givers = Supporter.objects.filter(payments__paid_at__gte=start, payments__paid_at__lt=end)
    count = 0
    for supporter in givers.distinct().iterator():
        payments = list(selectors.payment_list_for_year(supporter=supporter, year=year))
        with transaction.atomic():
            email_queue(
                kind=EmailKind.YEAR_END,
                supporter=supporter,
                year=year,
                totals=selectors.giving_totals(payments),
                payment_count=len(payments),
            )
        count += 1
    return count
