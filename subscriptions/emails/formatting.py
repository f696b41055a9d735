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


def lifetime(seconds: int) -> str:
    """How long a link works, as the email says it: "24 hours", "60 days"."""
    if seconds % 86400 == 0 and seconds > 86400:
        return f"{seconds // 86400} days"
    hours = max(seconds // 3600, 1)
    return f"{hours} hour{'s' if hours != 1 else ''}"
