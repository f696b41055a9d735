import pytest
from django.urls import reverse

from newsroom.forms import AppealForm
from subscriptions.models import Contribution
from tests.factories import ArticleFactory

from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["article", "support"])
def appeal_url(request):
    if request.param == "article":
        return ArticleFactory().get_absolute_url()
    return reverse("newsroom:support")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": "5", "currency": "eur", "frequency": "month"}, (500, "eur", "month")),
        ({"amount": "7.50", "currency": "eur", "frequency": "month"}, (750, "eur", "month")),
        ({"amount": "50", "currency": "gbp", "frequency": "year"}, (5000, "gbp", "year")),
        # "Once", after declining the offer of a monthly gift instead.
        (
            {"amount": "25", "currency": "usd", "frequency": "once", "upsell": "declined"},
            (2500, "usd", "once"),
        ),
        (
            {
                "amount": "other",
                "other_amount": "12",
                "currency": "eur",
                "frequency": "once",
                "upsell": "declined",
            },
            (1200, "eur", "once"),
        ),
        # A typed amount wins over a chosen button.
        (
            {"amount": "5", "other_amount": "8", "currency": "eur", "frequency": "month"},
            (800, "eur", "month"),
        ),
        (
            {"amount": "10000", "currency": "eur", "frequency": "once", "upsell": "declined"},
            (1_000_000, "eur", "once"),
        ),
        ({"amount": "2", "currency": "eur", "frequency": "month"}, (200, "eur", "month")),
    ],
)
def test_a_valid_gift_opens_stripe_checkout_for_exactly_that_gift(
    client, stripe_settings, appeal_url, data, expected
):
    response = client.post(appeal_url, data)

    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_settings.url}/checkout/cs_")
    contribution = Contribution.objects.get()
    assert (contribution.amount, contribution.currency, contribution.frequency) == expected
    assert contribution.status == "pending"


def test_cover_fees_adds_the_fee_on_the_server(client, stripe_settings, appeal_url):
    data = {"amount": "5", "currency": "eur", "frequency": "month", "cover_fees": "on"}

    response = client.post(appeal_url, data)

    assert response.status_code == 303
    contribution = Contribution.objects.get()
    assert contribution.covers_fees
    assert (contribution.amount, contribution.covered_fee) == (533, 33)


def test_when_stripe_cannot_be_reached_the_reader_is_told_and_nothing_is_charged(
    client, settings, appeal_url
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"

    response = client.post(appeal_url, {"amount": "5", "currency": "eur", "frequency": "month"})

    assert response.status_code == 503
    assert "nothing was charged" in response.content.decode()
    assert 'name="amount"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "-5"}, "Please enter an amount of at least €2."),
        ({"amount": "0"}, "Please enter an amount of at least €2."),
        ({"amount": "1.99"}, "Please enter an amount of at least €2."),
        ({"amount": "1.999"}, "no more than 2 digits after the decimal point"),
        ({"amount": "1000000000"}, "Please enter an amount of no more than €10,000."),
        ({"amount": "10000.01"}, "no more than €10,000"),
        ({"amount": "five"}, "Please enter the amount as a number, like 5 or 7.50."),
        ({"amount": "1e3"}, "Please enter the amount as a number"),
        ({"amount": "NaN"}, "Please enter the amount as a number"),
        ({"amount": ""}, "Please choose or enter an amount."),
        ({"amount": "other", "other_amount": ""}, "Please choose or enter an amount."),
        ({"amount": "other", "other_amount": "abc"}, "Please enter the amount as a number"),
        ({"currency": "xyz"}, "Please choose one of the currencies in the list."),
        ({"currency": "EUR"}, "Please choose one of the currencies in the list."),
        ({"currency": ""}, "Please choose a currency."),
        ({"frequency": "week"}, "Please choose monthly, yearly or once."),
        ({"frequency": ""}, "Please choose how often you would like to give."),
        ({"amount": "1", "currency": "gbp"}, "Please enter an amount of at least £2."),
    ],
)
def test_bad_input_is_refused_with_a_readable_error(client, appeal_url, data, error):
    payload = {"amount": "5", "currency": "eur", "frequency": "month", **data}
    response = client.post(appeal_url, payload)
    assert response.status_code == 400
    doc = parse(response.content)
    alert = doc.find("div", role="alert")
    assert error in alert.text
    assert "Thank you" not in doc.find("section", id="appeal").text


def test_missing_fields_are_each_reported(client, appeal_url):
    response = client.post(appeal_url, {})
    assert response.status_code == 400
    alert = parse(response.content).find("div", role="alert").text
    assert "Please choose or enter an amount." in alert
    assert "Please choose a currency." in alert
    assert "Please choose how often you would like to give." in alert


def test_errors_are_linked_to_their_fields_and_input_is_kept(client, appeal_url):
    data = {"amount": "other", "other_amount": "1.999", "currency": "gbp", "frequency": "year"}
    response = client.post(appeal_url, data)
    form = parse(response.content).find("form", method="post")
    other = form.find("input", name="other_amount")
    assert other.attrs["aria-invalid"] == "true"
    error_id = other.attrs["aria-describedby"]
    assert form.find("p", id=error_id).text.endswith("like 7.50.")
    assert other.attrs["value"] == "1.999"
    assert "selected" in form.find("option", value="gbp").attrs
    assert "checked" in form.find("input", name="frequency", value="year").attrs
    assert "checked" in form.find("input", name="amount", value="other").attrs


def test_the_form_exposes_minor_units():
    form = AppealForm({"amount": "7.50", "currency": "eur", "frequency": "month"})
    assert form.is_valid()
    assert form.pledge().amount_minor == 750
    assert isinstance(form.pledge().amount_minor, int)


def test_zero_decimal_currencies_take_whole_numbers_only(settings):
    settings.CONTRIBUTION_CURRENCIES = ["eur", "jpy"]
    settings.CONTRIBUTION_MAXIMUM = 100_000
    good = AppealForm({"amount": "500", "currency": "jpy", "frequency": "once"})
    assert good.is_valid(), good.errors
    assert good.pledge().amount_minor == 500
    bad = AppealForm({"amount": "500.5", "currency": "jpy", "frequency": "once"})
    assert not bad.is_valid()
    assert "whole number" in str(bad.errors["amount"])
