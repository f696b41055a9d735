"""The appeal form: the public interface readers (and API clients) post to."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings

from .models import Frequency
from .money import (
    currency_decimals,
    currency_label,
    currency_symbol_amount,
    to_minor_units,
)

OTHER = "other"
# Digits with an optional decimal part; a comma is accepted as the decimal mark too.
AMOUNT_PATTERN = re.compile(r"^(\d{1,12})(?:[.,](\d+))?$")


@dataclass(frozen=True)
class Pledge:
    """A valid gift, before anything is sent to the payment provider."""

    amount_minor: int
    currency: str
    frequency: str
    cover_fees: bool


def currency_choices() -> list[tuple[str, str]]:
    """("eur", "Euro (€)"): names a reader recognises, in the site's language."""
    return [(code, currency_label(code)) for code in settings.CONTRIBUTION_CURRENCIES]


class AppealForm(forms.Form):
    amount = forms.CharField(
        required=False,
        max_length=32,
        error_messages={"max_length": "Please enter a shorter amount."},
    )
    other_amount = forms.CharField(required=False, max_length=32, label="Other amount")
    currency = forms.ChoiceField(
        choices=currency_choices,
        error_messages={
            "required": "Please choose a currency.",
            "invalid_choice": "Please choose one of the currencies in the list.",
        },
    )
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        error_messages={
            "required": "Please choose how often you would like to give.",
            "invalid_choice": "Please choose monthly, yearly or once.",
        },
    )
    cover_fees = forms.BooleanField(required=False)
    # A honeypot: hidden from people (and screen readers); bots that fill every field fail.
    website = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                "This form could not be sent. Please reload the page and try again.",
                code="honeypot",
            )
        # Messages quote limits in the chosen currency, or the default when that is invalid.
        currency = cleaned.get("currency") or settings.CONTRIBUTION_DEFAULT_CURRENCY
        other = (cleaned.get("other_amount") or "").strip()
        chosen = (cleaned.get("amount") or "").strip()
        field, text = ("other_amount", other) if other else ("amount", chosen)
        if text == OTHER:
            field, text = "other_amount", ""
        if not text:
            self.add_error(field, "Please choose or enter an amount.")
            return cleaned
        try:
            cleaned["amount_minor"] = amount_to_minor_units(text, currency=currency)
        except forms.ValidationError as error:
            self.add_error(field, error)
        return cleaned

    def pledge(self) -> Pledge:
        return Pledge(
            amount_minor=self.cleaned_data["amount_minor"],
            currency=self.cleaned_data["currency"],
            frequency=self.cleaned_data["frequency"],
            cover_fees=self.cleaned_data["cover_fees"],
        )


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
