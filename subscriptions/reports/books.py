"""Which local day and month the books count a balance transaction on.

Days are cut in NEWSROOM_TIME_ZONE: a gift at 23:30 UTC on 31 March in a UTC+1 zone belongs
to April. A transaction whose month is already closed (for its currency) when it arrives is
booked on the first day of the next open month instead: an adjustment, never a silent change
to a closed month."""

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

from subscriptions.models import MonthClose


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def newsroom_zone() -> ZoneInfo:
    return _zone(settings.NEWSROOM_TIME_ZONE)


def local_date(moment: datetime) -> date:
    return moment.astimezone(newsroom_zone()).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    """The aware moment a local day starts (what the books cut on)."""
    return datetime(day.year, day.month, day.day, tzinfo=newsroom_zone())


def booked_on_for(created: datetime, currency: str) -> date:
    day = local_date(created)
    closed = set(
        MonthClose.objects.filter(currency=currency, month__gte=month_of(day)).values_list(
            "month", flat=True
        )
    )
    month = month_of(day)
    if month not in closed:
        return day
    while month in closed:
        month = next_month(month)
    return month
