"""Filters for showing a supporter's money and times: `{% load display %}`."""

from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from subscriptions.models import Contribution
from subscriptions.money import babel_locale, major_units_text, money_format
from subscriptions.pledges import FREQUENCY_ADJECTIVES, FREQUENCY_ADVERBS
from subscriptions.selectors import SwitchOffer, contribution_switch_offer

register = template.Library()


@register.filter
def iso_utc(value: datetime | None) -> str:
    """For <time datetime>: ISO 8601 in UTC, to the second."""
    if value is None:
        return ""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


@register.filter
def money(amount_minor: int, currency: str) -> str:
    return money_format(amount_minor, currency=currency)


@register.filter
def switch_offer(contribution: Contribution) -> SwitchOffer | None:
    """`{% with offer=contribution|switch_offer %}`: the other frequency, pre-converted."""
    return contribution_switch_offer(contribution=contribution)


@register.filter
def amount_text(amount_minor: int, currency: str) -> str:
    """An amount as a reader would type it into a form: "5", "7.50"."""
    return major_units_text(amount_minor, currency=currency)


@register.filter
def frequency_adverb(frequency: str) -> str:
    """ "every month", "every year", "once"."""
    return str(FREQUENCY_ADVERBS.get(frequency, ""))


@register.filter
def frequency_adjective(frequency: str) -> str:
    """ "monthly", "yearly", "one-time"."""
    return str(FREQUENCY_ADJECTIVES.get(frequency, ""))


def _local(value: datetime | date) -> date | datetime:
    """An aware time in the current time zone (the page's `{% timezone %}`)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def long_date(value: datetime | date | None) -> str:
    """ "3 March 2027", "3 марта 2027 г.": the active language's long date (Babel)."""
    if value is None:
        return ""
    local = _local(value)
    return format_date(
        local.date() if isinstance(local, datetime) else local, "long", babel_locale()
    )


@register.filter
def short_date(value: datetime | date | None) -> str:
    """ "3 Mar 2027", "3 мар. 2027 г.": the active language's medium date (Babel)."""
    if value is None:
        return ""
    local = _local(value)
    return format_date(
        local.date() if isinstance(local, datetime) else local, "medium", babel_locale()
    )


@register.filter
def time_and_date(value: datetime | None) -> str:
    """ "14:05, 3 March 2027" ("14:05, 3 марта 2027"), in the current time zone."""
    if value is None:
        return ""
    return format_datetime(_local(value), "HH:mm, d MMMM y", locale=babel_locale())


@register.filter
def html_lang(language: str) -> str:
    """The `lang` attribute for a language: "en-GB" (as Babel's locale) or "ru-RU"."""
    return (settings.BABEL_LOCALES.get(language) or language).replace("_", "-")


@register.filter
def strong(value: object) -> str:
    """A value in bold inside a translated HTML sentence, whose text twin has it plain."""
    return format_html("<strong>{}</strong>", value)
