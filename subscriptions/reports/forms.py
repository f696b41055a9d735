from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from .books import local_date, month_of, next_month
from .exports import FORMATS, REPORTS
from .ledger import Period


def _this_month() -> date:
    return month_of(local_date(timezone.now()))


class _PeriodForm(forms.Form):
    """A period of local days, the end day excluded, and a currency; this month by default."""

    start = forms.DateField(help_text="First day (local time).")
    end = forms.DateField(help_text="The day after the last one.")
    currency = forms.CharField(max_length=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        month = _this_month()
        self.fields["start"].initial = month
        self.fields["end"].initial = next_month(month)
        self.fields["currency"].initial = settings.STRIPE_SETTLEMENT_CURRENCY

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            raise forms.ValidationError(
                "The end day must come after the start day; the end day itself is not included."
            )
        return cleaned

    def period(self) -> Period:
        data = self.cleaned_data
        return Period(start=data["start"], end=data["end"], currency=data["currency"].lower())


class ReportForm(_PeriodForm):
    report = forms.ChoiceField(choices=[(name, name.title()) for name in REPORTS])
    file_format = forms.ChoiceField(choices=[(name, name.upper()) for name in FORMATS])
    field_order = ["report", "start", "end", "currency", "file_format"]


class MonthCloseForm(forms.Form):
    month = forms.DateField(help_text="Any day of the month to close.")
    currency = forms.CharField(max_length=3)


class StripeComparisonForm(_PeriodForm):
    """A period and currency to compare our ledger with Stripe's itemized report for."""

    start = forms.DateField(help_text="First day of payouts' arrival (local time).")

    def clean_currency(self) -> str:
        code = str(self.cleaned_data["currency"]).strip().lower()
        if len(code) != 3 or not code.isalpha():
            raise forms.ValidationError("Give a three-letter currency code, like EUR.")
        return code
