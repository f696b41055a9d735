"""Forms of the supporter's own pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .pledges import Frequency, amount_to_minor_units
from .services.contributions import SUPPORTER_CANCEL_REASONS


class ManageLinkForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label=_("Your email address"),
        error_messages={
            "required": _("Please enter the email address you gave with."),
            "invalid": _("Please enter a whole email address, like name@example.org."),
        },
    )


class ContributionChangeForm(forms.Form):
    amount = forms.CharField(max_length=32, label=_("New amount"))
    frequency = forms.ChoiceField(
        choices=[(Frequency.MONTH, Frequency.MONTH.label), (Frequency.YEAR, Frequency.YEAR.label)],
        error_messages={"invalid_choice": _("Please choose monthly or yearly.")},
    )

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int:
        return amount_to_minor_units(self.cleaned_data["amount"], currency=self.currency)


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[(reason.value, reason.label) for reason in SUPPORTER_CANCEL_REASONS],
        widget=forms.RadioSelect,
        label=_("Why are you stopping?"),
        error_messages={"required": _("Please choose a reason from the list.")},
    )
    detail = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything you would like to tell us (optional)"),
    )
