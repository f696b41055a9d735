"""Filters for showing a supporter's money and times: `{% load display %}`."""

from datetime import UTC, datetime

from django import template

from subscriptions.money import money_format

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
