"""The appeal form: the public interface readers (and API clients) post to."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Upsell
from subscriptions.money import currency_label
from subscriptions.pledges import Frequency, Pledge, amount_to_minor_units

OTHER = "other"


def currency_choices() -> list[tuple[str, str]]:
    """("eur", "Euro (€)"): names a reader recognises, in the site's language."""
    return [(code, currency_label(code)) for code in settings.CONTRIBUTION_CURRENCIES]


class AppealForm(forms.Form):
    amount = forms.CharField(
        required=False,
        max_length=32,
        error_messages={"max_length": _("Please enter a shorter amount.")},
    )
    other_amount = forms.CharField(required=False, max_length=32, label=_("Other amount"))
    currency = forms.ChoiceField(
        choices=currency_choices,
        error_messages={
            "required": _("Please choose a currency."),
            "invalid_choice": _("Please choose one of the currencies in the list."),
        },
    )
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        error_messages={
            "required": _("Please choose how often you would like to give."),
            "invalid_choice": _("Please choose monthly, yearly or once."),
        },
    )
    cover_fees = forms.BooleanField(required=False)
    # The reader's answer to "give monthly instead?" after choosing once (newsroom/upsell.html).
    upsell = forms.ChoiceField(
        required=False,
        choices=[("", ""), (Upsell.ACCEPTED, Upsell.ACCEPTED), (Upsell.DECLINED, Upsell.DECLINED)],
        error_messages={"invalid_choice": _("Please choose one of the two buttons.")},
    )
    upsell_amount = forms.CharField(required=False, max_length=32)
    # A honeypot: hidden from people (and screen readers); bots that fill every field fail.
    website = forms.CharField(required=False, max_length=200)
    # The appeal test variant the page showed (hidden): counted as a form start, and the
    # gift is credited to it. A variant of no running test (the test ended since the page
    # was loaded) is simply not credited.
    appeal_variant = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("This form could not be sent. Please reload the page and try again."),
            "min_value": _("This form could not be sent. Please reload the page and try again."),
        },
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("This form could not be sent. Please reload the page and try again."),
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
            self.add_error(field, _("Please choose or enter an amount."))
            return cleaned
        try:
            cleaned["amount_minor"] = amount_to_minor_units(text, currency=currency)
        except forms.ValidationError as error:
            self.add_error(field, error)
        if self.upsell_answer() == Upsell.ACCEPTED:
            try:
                cleaned["upsell_amount_minor"] = amount_to_minor_units(
                    (cleaned.get("upsell_amount") or "").strip(), currency=currency
                )
            except forms.ValidationError as error:
                self.add_error("upsell_amount", error)
        return cleaned

    def clean_appeal_variant(self) -> int | None:
        from .variants import running_test_current

        variant_id = self.cleaned_data.get("appeal_variant")
        if variant_id is None:
            return None
        running = running_test_current()
        if running is None or running.slot(variant_id) is None:
            return None
        return variant_id

    def upsell_answer(self) -> str:
        """Accepted or declined: the offer only ever follows a choice of "once"."""
        if self.cleaned_data.get("frequency") != Frequency.ONCE:
            return Upsell.NOT_OFFERED
        return self.cleaned_data.get("upsell") or Upsell.NOT_OFFERED

    def pledge(self) -> Pledge:
        """The gift asked for; a monthly one when the reader took the offer instead."""
        answer = self.upsell_answer()
        accepted = answer == Upsell.ACCEPTED
        return Pledge(
            amount_minor=self.cleaned_data["upsell_amount_minor" if accepted else "amount_minor"],
            currency=self.cleaned_data["currency"],
            frequency=Frequency.MONTH if accepted else self.cleaned_data["frequency"],
            cover_fees=self.cleaned_data["cover_fees"],
            upsell=answer,
        )
