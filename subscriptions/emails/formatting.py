"""How dates and money read in an email: the newsroom's zone, language and currency style."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from django.conf import settings
from django.utils import timezone

from subscriptions.money import money_format


def local_date(value: datetime | date | None) -> str:
    """ "3 March 2027", in the newsroom's zone and language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value, ZoneInfo(settings.NEWSROOM_TIME_ZONE)).date()
    return format_date(value, format="long", locale=settings.LANGUAGE_CODE.replace("-", "_"))


def money(amount: int, currency: str) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)
