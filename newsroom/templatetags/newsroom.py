import json
import uuid

from django import template
from django.conf import settings

from subscriptions.money import currency_symbol_amount, major_units_text, money_format
from subscriptions.pledges import FREQUENCY_PHRASES, Frequency
from subscriptions.templatetags.display import iso_utc, money

from ..forms import OTHER, AppealForm, currency_choices
from ..selectors import appeal_get_live

register = template.Library()
# The supporter's money and times read the same on reader pages as on the manage page.
register.filter(iso_utc)
register.filter(money)


def _choice(form: AppealForm, name: str, fallback: str, allowed) -> str:
    """The submitted value when it is one we offer, else the fallback."""
    value = _raw(form, name)
    return value if value in allowed else fallback


@register.inclusion_tag("newsroom/includes/appeal.html", takes_context=True)
def appeal_block(context) -> dict:
    config = appeal_get_live()
    form = context.get("appeal_form") or AppealForm()
    currencies = settings.CONTRIBUTION_CURRENCIES
    currency = _choice(form, "currency", settings.CONTRIBUTION_DEFAULT_CURRENCY, currencies)
    frequency = _choice(form, "frequency", config.default_frequency, Frequency.values)
    chosen = _chosen_amount(form)

    amounts = [
        {
            "value": major_units_text(minor, currency=currency),
            "label": money_format(minor, currency=currency),
            "id": f"appeal-amount-{index}",
        }
        for index, minor in enumerate(config.suggested(currency=currency, frequency=frequency))
    ]
    other_checked = chosen == OTHER or bool(_raw(form, "other_amount"))
    for amount in amounts:
        amount["checked"] = not other_checked and amount["value"] == chosen
    minimum = settings.CONTRIBUTION_MINIMUM
    return {
        "appeal": config,
        "form": form,
        "form_token": uuid.uuid4(),
        # A sentence from the payment step (provider down, too many attempts).
        "appeal_error": context.get("appeal_error"),
        "amounts": amounts,
        "other_checked": other_checked,
        "other_amount": _raw(form, "other_amount"),
        "currency": currency,
        "currencies": currency_choices(),
        "frequency": frequency,
        "frequencies": Frequency.choices,
        "frequency_phrase": FREQUENCY_PHRASES[frequency],
        "cover_fees": bool(_raw(form, "cover_fees")),
        "minimum_label": currency_symbol_amount(minimum, currency=currency),
        # Every currency and frequency's buttons, for the optional script to swap labels.
        "amounts_json": json.dumps(_all_amounts(config, currencies)),
    }


def _raw(form: AppealForm, name: str):
    return form.data.get(name) if form.is_bound else form.initial.get(name)


def _chosen_amount(form: AppealForm) -> str:
    value = _raw(form, "amount")
    return str(value).strip() if value else ""


def _all_amounts(config, currencies) -> dict:
    return {
        currency: {
            "minimum": currency_symbol_amount(settings.CONTRIBUTION_MINIMUM, currency=currency),
            **{
                frequency: [
                    {
                        "value": major_units_text(minor, currency=currency),
                        "label": money_format(minor, currency=currency),
                    }
                    for minor in config.suggested(currency=currency, frequency=frequency)
                ]
                for frequency in Frequency.values
            },
        }
        for currency in currencies
    }
