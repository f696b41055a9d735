"""A reader's pledge before it reaches Stripe: how often, how much, and the reader's text
for an amount turned into minor units within the newsroom's limits."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models

from .money import currency_decimals, currency_symbol_amount, to_minor_units

# Digits with an optional decimal part; a comma is accepted as the decimal mark too.
AMOUNT_PATTERN = re.compile(r"^(\d{1,12})(?:[.,](\d+))?$")


class Frequency(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"
    ONCE = "once", "Once"


FREQUENCY_PHRASES: dict[str, str] = {
    Frequency.MONTH: "a month",
    Frequency.YEAR: "a year",
    Frequency.ONCE: "once",
}
# What a gift is called: Stripe's product name and the receipt's "For" line, after which
# comes " for <newsroom>".
PRODUCT_NAMES: dict[str, str] = {
    Frequency.MONTH: "Monthly support",
    Frequency.YEAR: "Yearly support",
    Frequency.ONCE: "One-time support",
}
# Words for sentences about a gift: "€5 every month", "your monthly support".
FREQUENCY_ADVERBS: dict[str, str] = {
    Frequency.MONTH: "every month",
    Frequency.YEAR: "every year",
    Frequency.ONCE: "once",
}
FREQUENCY_ADJECTIVES: dict[str, str] = {
    Frequency.MONTH: "monthly",
    Frequency.YEAR: "yearly",
    Frequency.ONCE: "one-time",
}


@dataclass(frozen=True)
class Pledge:
    """A valid gift, before anything is sent to the payment provider."""

    amount_minor: int
    currency: str
    frequency: str
    cover_fees: bool
    # A reader who chose "once" and was offered a monthly gift: Upsell.ACCEPTED or DECLINED.
    upsell: str = ""


def amount_to_minor_units(text: str, *, currency: str) -> int:
    """Reader's text in major units ("7.50", "5") to minor units, within the limits."""
    minimum = currency_symbol_amount(settings.CONTRIBUTION_MINIMUM, currency=currency)
    maximum = currency_symbol_amount(settings.CONTRIBUTION_MAXIMUM, currency=currency)
    compact = text.replace(" ", "").replace("\u00a0", "")
    if compact.startswith("-"):
        raise forms.ValidationError(f"Please enter an amount of at least {minimum}.")
    match = AMOUNT_PATTERN.match(compact)
    if match is None:
        raise forms.ValidationError("Please enter the amount as a number, like 5 or 7.50.")
    whole, fraction = match.group(1), match.group(2) or ""
    decimals = currency_decimals(currency)
    if len(fraction.rstrip("0")) > decimals:
        if decimals == 0:
            raise forms.ValidationError("Please enter a whole number, without decimals.")
        raise forms.ValidationError(
            f"Please use no more than {decimals} digits after the decimal point, like 7.50."
        )
    amount = Decimal(f"{whole}.{fraction or '0'}")
    if amount < settings.CONTRIBUTION_MINIMUM:
        raise forms.ValidationError(f"Please enter an amount of at least {minimum}.")
    if amount > settings.CONTRIBUTION_MAXIMUM:
        raise forms.ValidationError(
            f"Please enter an amount of no more than {maximum}. "
            "For a larger gift, please get in touch with us."
        )
    return to_minor_units(amount, currency=currency)
