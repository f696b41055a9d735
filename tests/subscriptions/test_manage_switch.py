"""Switching between monthly and yearly starts from the current amount, converted, and the
page says what the supporter will pay and from when before they save (without script)."""

import re
from datetime import UTC, datetime

import pytest

from subscriptions.signing import REQUESTED, manage_token_make
from subscriptions.suggestions import switched_amount
from tests.factories import AppealAmountFactory, AppealFactory, ContributionFactory
from tests.newsroom.html import parse

PERIOD_END = datetime(2026, 12, 12, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _manage_page(client, contribution):
    supporter = contribution.supporter
    token = manage_token_make(
        supporter_id=supporter.pk, version=supporter.token_version, purpose=REQUESTED
    )
    response = client.get(f"/support/manage/{token}/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _forms(html: str) -> dict[str, dict[str, str]]:
    """Each form by its button's words: the values it would post as served, and its words."""
    forms = {}
    for form_html in re.findall(r"<form .*?</form>", html, flags=re.S):
        form = parse(form_html)
        button = form.find("button")
        assert button is not None
        fields = {
            str(field.attrs["name"]): field.attrs.get("value") or ""
            for field in form.find_all("input")
        }
        words = " ".join(re.sub(r"<[^>]+>", " ", form_html).split())
        forms[button.text] = fields | {"text": words.replace(" .", ".").replace(" ,", ",")}
    return forms


def test_switching_monthly_to_yearly_offers_a_suggested_yearly_amount_from_the_period_end(
    client,
):
    contribution = ContributionFactory(amount=500, current_period_end=PERIOD_END)

    switch = _forms(_manage_page(client, contribution))["Switch to yearly"]

    assert switch["frequency"] == "year"
    assert switch["amount"] == "50"  # €60 is near the appeal's suggested €50 a year
    assert "€5 every month is €60 every year; we suggest €50." in switch["text"]
    assert (
        "every year from 12 December 2026, when the month you have paid for ends"
        in (switch["text"])
    )
    assert "Nothing is charged before then." in switch["text"]


def test_switching_yearly_to_monthly_divides_by_twelve(client):
    contribution = ContributionFactory(
        frequency="year", amount=20000, current_period_end=PERIOD_END
    )

    switch = _forms(_manage_page(client, contribution))["Switch to monthly"]

    # €200 a year is €16.67 a month: no suggested monthly amount is near, so whole euros.
    assert (switch["frequency"], switch["amount"]) == ("month", "17")
    assert "€200 every year is €16.67 every month; we suggest €17." in switch["text"]
    assert "when the year you have paid for ends" in switch["text"]


def test_changing_the_amount_starts_from_the_current_amount(client):
    contribution = ContributionFactory(amount=750, current_period_end=PERIOD_END)

    change = _forms(_manage_page(client, contribution))["Save the new amount"]

    assert (change["frequency"], change["amount"]) == ("month", "7.50")
    assert "from your next payment, on 12 December 2026" in change["text"]


def test_the_live_appeals_suggestions_for_the_currency_and_frequency_are_used():
    appeal = AppealFactory()
    for amount in (3000, 6000, 15000):
        AppealAmountFactory(appeal=appeal, currency="gbp", frequency="year", amount=amount)

    # £12 a month is £144 a year: £150 is near. £2 a month, £24: £30 is too far.
    assert switched_amount(amount=1200, currency="gbp", frequency="year") == 15000
    assert switched_amount(amount=200, currency="gbp", frequency="year") == 2400
    assert switched_amount(amount=500, currency="gbp", frequency="year") == 6000


def test_a_converted_amount_stays_within_the_gift_limits(settings):
    settings.CONTRIBUTION_MINIMUM = 2
    settings.CONTRIBUTION_MAXIMUM = 10000

    assert switched_amount(amount=2000, currency="eur", frequency="month") == 200
    assert switched_amount(amount=100000, currency="eur", frequency="year") == 1000000
