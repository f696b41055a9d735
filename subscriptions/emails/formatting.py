"""How dates and money read in an email: the newsroom's zone, language and currency style."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from subscriptions.money import babel_locale, money_format


def local_date(value: datetime | date | None) -> str:
    """ "3 March 2027" ("3 марта 2027 г."), in the newsroom's zone and the active language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value, ZoneInfo(settings.NEWSROOM_TIME_ZONE)).date()
    return format_date(value, format="long", locale=babel_locale())


def money(amount: int, currency: str) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)


def lifetime(seconds: int) -> str:
    """How long a link works, as the email says it: "24 hours", "60 days"."""
    if seconds % 86400 == 0 and seconds > 86400:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(seconds // 3600, 1)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
