"""A reader's pledge before it reaches Stripe: how often, how much, and the reader's text
for an amount turned into minor units within the newsroom's limits."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from .money import currency_decimals, currency_symbol_amount, to_minor_units

# Digits with an optional decimal part; a comma is accepted as the decimal mark too.
AMOUNT_PATTERN = re.compile(r"^(\d{1,12})(?:[.,](\d+))?$")


class Frequency(models.TextChoices):
    MONTH = "month", pgettext_lazy("how often", "Monthly")
    YEAR = "year", pgettext_lazy("how often", "Yearly")
    ONCE = "once", pgettext_lazy("how often", "Once")


# Lazy: each is read in the language of the page or email that shows it.
FREQUENCY_PHRASES: dict[str, Promise] = {
    Frequency.MONTH: pgettext_lazy("after an amount", "a month"),
    Frequency.YEAR: pgettext_lazy("after an amount", "a year"),
    Frequency.ONCE: pgettext_lazy("after an amount", "once"),
}
# What a gift is called: Stripe's product name and the receipt's "For" line.
PRODUCT_NAMES: dict[str, Promise] = {
    Frequency.MONTH: gettext_lazy("Monthly support for %(newsroom)s"),
    Frequency.YEAR: gettext_lazy("Yearly support for %(newsroom)s"),
    Frequency.ONCE: gettext_lazy("One-time support for %(newsroom)s"),
}
# Words for sentences about a gift: "€5 every month", "your monthly support".
FREQUENCY_ADVERBS: dict[str, Promise] = {
    Frequency.MONTH: pgettext_lazy("after an amount", "every month"),
    Frequency.YEAR: pgettext_lazy("after an amount", "every year"),
    Frequency.ONCE: pgettext_lazy("after an amount", "once"),
}
FREQUENCY_ADJECTIVES: dict[str, Promise] = {
    Frequency.MONTH: pgettext_lazy("kind of gift", "monthly"),
    Frequency.YEAR: pgettext_lazy("kind of gift", "yearly"),
    Frequency.ONCE: pgettext_lazy("kind of gift", "one-time"),
}


def product_name(frequency: str) -> str:
    """ "Monthly support for The Harbour Ledger", in the active language."""
    return str(PRODUCT_NAMES[frequency]) % {"newsroom": settings.NEWSROOM_NAME}


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
    too_small = gettext("Please enter an amount of at least %(minimum)s.") % {"minimum": minimum}
    if compact.startswith("-"):
        raise forms.ValidationError(too_small)
    match = AMOUNT_PATTERN.match(compact)
    if match is None:
        raise forms.ValidationError(gettext("Please enter the amount as a number, like 5 or 7.50."))
    whole, fraction = match.group(1), match.group(2) or ""
    decimals = currency_decimals(currency)
    if len(fraction.rstrip("0")) > decimals:
        if decimals == 0:
            raise forms.ValidationError(gettext("Please enter a whole number, without decimals."))
        raise forms.ValidationError(
            gettext(
                "Please use no more than %(decimals)s digits after the decimal point, like 7.50."
            )
            % {"decimals": decimals}
        )
    amount = Decimal(f"{whole}.{fraction or '0'}")
    if amount < settings.CONTRIBUTION_MINIMUM:
        raise forms.ValidationError(too_small)
    if amount > settings.CONTRIBUTION_MAXIMUM:
        raise forms.ValidationError(
            gettext(
                "Please enter an amount of no more than %(maximum)s. "
                "For a larger gift, please get in touch with us."
            )
            % {"maximum": maximum}
        )
    return to_minor_units(amount, currency=currency)
