import json

from django import forms, template
from django.conf import settings
from django.utils.translation import gettext_lazy

from subscriptions.fees import amount_covering_fees, fee_terms
from subscriptions.money import (
    currency_decimals,
    currency_symbol_amount,
    major_units_text,
    money_format,
)
from subscriptions.pledges import FREQUENCY_PHRASES, Frequency, amount_to_minor_units
from subscriptions.templatetags.display import iso_utc, money

from ..currencies import currency_for_request
from ..forms import OTHER, AppealForm, currency_choices
from ..goals import goal_progress_get
from ..selectors import appeal_get, appeal_get_live
from ..variants import request_assignment

register = template.Library()
# The supporter's money and times read the same on reader pages as on the manage page.
register.filter(iso_utc)
register.filter(money)

# What "cover the fees" adds, for the amount the reader chose or, before they choose, for
# the first suggested one. The script fills the same sentences as the choice changes.
# `{fee}` and `{amount}` stay as they are in every language: the script fills them too.
FEE_HINT_CHOSEN = gettext_lazy("(adds {fee} to your {amount} gift)")
FEE_HINT_EXAMPLE = gettext_lazy("(adds {fee} to a {amount} gift, for example)")
MINIMUM_HINT = gettext_lazy("(from {amount})")


def _choice(form: AppealForm, name: str, fallback: str, allowed) -> str:
    """The submitted value when it is one we offer, else the fallback."""
    value = _raw(form, name)
    return value if value in allowed else fallback


@register.inclusion_tag("newsroom/includes/appeal.html", takes_context=True)
def appeal_block(context, heading: str = "", suggest_monthly: bool = False) -> dict:
    """The appeal form. A page with words of its own (/support/) passes a `heading`,
    which replaces the live appeal's heading and text (written for the end of an article).
    `suggest_monthly`, for a reader who gave once a while ago, preselects a monthly gift
    and says why.

    The currency preselected is the reader's (newsroom.currencies), from their country.

    Without script the page cannot follow the reader's choice of currency and frequency,
    so what the server renders is true for any choice: the amount buttons show numbers
    only, and appeal.js adds the currency symbol and "a month" once it runs.
    """
    form = context.get("appeal_form") or AppealForm()
    variant_id = _appeal_variant(context, form)
    config = appeal_get(appeal_id=variant_id[1]) if variant_id else None
    if config is None:
        # No test, or a variant in another language: this page is not part of the test.
        if variant_id and context.get("request") is not None:
            context["request"].appeal_variant_hidden = True
        variant_id = None
        config = appeal_get_live()
    currencies = settings.CONTRIBUTION_CURRENCIES
    request = context.get("request")
    default_currency = (
        currency_for_request(request) if request else settings.CONTRIBUTION_DEFAULT_CURRENCY
    )
    currency = _choice(form, "currency", default_currency, currencies)
    default_frequency = Frequency.MONTH if suggest_monthly else config.default_frequency
    frequency = _choice(form, "frequency", default_frequency, Frequency.values)
    chosen = _chosen_amount(form)

    suggested = config.suggested(currency=currency, frequency=frequency)
    amounts: list[dict[str, str | bool]] = [
        {"value": major_units_text(minor, currency=currency), "id": f"appeal-amount-{index}"}
        for index, minor in enumerate(suggested)
    ]
    other_checked = chosen == OTHER or bool(_raw(form, "other_amount"))
    for amount in amounts:
        amount["checked"] = not other_checked and amount["value"] == chosen
    minimum = settings.CONTRIBUTION_MINIMUM
    return {
        "appeal": config,
        "form": form,
        # A sentence from the payment step (provider down, too many attempts).
        "appeal_error": context.get("appeal_error"),
        "amounts": amounts,
        "other_checked": other_checked,
        "other_amount": _raw(form, "other_amount"),
        "currency": currency,
        "currencies": currency_choices(),
        "frequency": frequency,
        "frequencies": Frequency.choices,
        "cover_fees": bool(_raw(form, "cover_fees")),
        "minimum_hint": str(MINIMUM_HINT).format(amount=minimum),
        "minimum_hint_template": str(MINIMUM_HINT),
        "heading": heading,
        "appeal_variant_id": variant_id[0] if variant_id else None,
        "suggest_monthly": suggest_monthly,
        "goal": goal_progress_get(),
        "fee_hint": _fee_hint(form, currency=currency, suggested=suggested),
        "fee_hint_chosen": str(FEE_HINT_CHOSEN),
        "fee_hint_example": str(FEE_HINT_EXAMPLE),
        # Every currency and frequency's buttons, for the optional script to swap labels.
        "amounts_json": json.dumps(_all_amounts(config, currencies)),
        "phrases_json": json.dumps(
            {key: f"({phrase})" for key, phrase in FREQUENCY_PHRASES.items()}
        ),
        "fees_json": json.dumps(_fee_data(currencies)),
    }


def _appeal_variant(context, form: AppealForm) -> tuple[int, int] | None:
    """(variant id, appeal id) of the appeal test variant this reader is shown: the one
    their post named (a form shown again), else the one the page cache gave them."""
    request = context.get("request")
    assignment = request_assignment(request) if request is not None else None
    if form.is_bound:
        from ..variants import running_test_current

        posted = form.cleaned_data.get("appeal_variant") if hasattr(form, "cleaned_data") else None
        running = running_test_current() if posted else None
        slot = running.slot(posted) if running is not None and posted else None
        if slot is not None:
            return slot.variant_id, slot.appeal_id
    if assignment is None:
        return None
    return assignment.slot.variant_id, assignment.slot.appeal_id


def _raw(form: AppealForm, name: str):
    return form.data.get(name) if form.is_bound else form.initial.get(name)


def _chosen_minor(form: AppealForm, *, currency: str) -> int | None:
    """The amount the reader chose, in minor units, when it is a valid gift."""
    other = str(_raw(form, "other_amount") or "").strip()
    text = other or _chosen_amount(form)
    if not text or text == OTHER:
        return None
    try:
        return amount_to_minor_units(text, currency=currency)
    except forms.ValidationError:
        return None


def _fee_hint(form: AppealForm, *, currency: str, suggested: list[int]) -> str:
    chosen = _chosen_minor(form, currency=currency)
    amount = chosen if chosen is not None else next(iter(suggested), None)
    if amount is None:
        return ""
    sentence = str(FEE_HINT_CHOSEN if chosen is not None else FEE_HINT_EXAMPLE)
    fee = amount_covering_fees(amount, currency=currency) - amount
    return sentence.format(
        fee=money_format(fee, currency=currency), amount=money_format(amount, currency=currency)
    )


def _fee_data(currencies) -> dict:
    """What appeal.js needs to show the fee for any amount the reader types."""
    return {
        "minimum": settings.CONTRIBUTION_MINIMUM,
        "maximum": settings.CONTRIBUTION_MAXIMUM,
        "currencies": {
            currency: {"decimals": currency_decimals(currency), **fee_terms(currency=currency)}
            for currency in currencies
        },
    }


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
