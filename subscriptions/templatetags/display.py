"""Filters for showing a supporter's money and times: `{% load display %}`."""

from datetime import UTC, datetime

from django import template

from subscriptions.models import Contribution
from subscriptions.money import major_units_text, money_format
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
    return FREQUENCY_ADVERBS.get(frequency, "")


@register.filter
def frequency_adjective(frequency: str) -> str:
    """ "monthly", "yearly", "one-time"."""
    return FREQUENCY_ADJECTIVES.get(frequency, "")
