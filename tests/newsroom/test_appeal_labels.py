"""What the appeal says as served, before any script runs: nothing a reader's choice of
currency or frequency can make untrue, and what "cover the fees" adds."""

import re

import pytest
from django.urls import reverse

from newsroom.services import appeal_create_default
from tests.factories import ArticleFactory

from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["article", "support"])
def appeal_url(request):
    appeal_create_default(name="Spring", is_live=True)
    if request.param == "article":
        return ArticleFactory().get_absolute_url()
    return reverse("newsroom:support")


def _form(response):
    return next(
        f for f in parse(response.content).find_all("form") if f.find("input", name="amount")
    )


def _label(form, control_id: str) -> str:
    return next(
        label.text for label in form.find_all("label") if label.attrs.get("for") == control_id
    )


def test_the_served_amount_buttons_name_no_currency_or_frequency(client, appeal_url):
    form = _form(client.get(appeal_url))

    buttons = [
        _label(form, radio.attrs["id"])
        for radio in form.find_all("input", name="amount")
        if radio.attrs["value"] != "other"
    ]
    assert buttons == ["2", "5", "10"]
    amounts = next(f for f in form.find_all("fieldset") if f.find("input", name="amount"))
    legend = amounts.children[0].text
    assert legend == "Choose an amount"
    assert "from 2" in _label(form, "appeal-other-amount")
    assert not re.search(r"[€$£]|month|year|once", legend + " ".join(buttons))


def test_a_re_shown_form_keeps_the_readers_currency_and_frequency(client, appeal_url):
    response = client.post(
        appeal_url, {"amount": "", "currency": "gbp", "frequency": "year", "cover_fees": "on"}
    )

    assert response.status_code == 400
    form = _form(response)
    assert [r.attrs["value"] for r in form.find_all("input", name="amount")] == [
        "50",
        "100",
        "200",
        "other",
    ]
    assert "selected" in form.find("option", value="gbp").attrs
    assert "checked" in form.find("input", name="frequency", value="year").attrs


def test_cover_the_fees_says_what_it_adds_to_the_first_amount_before_a_choice(client, appeal_url):
    form = _form(client.get(appeal_url))

    # €2 costs 1.5% + €0.25 to take; €2.28 leaves €2 after Stripe's €0.28.
    assert _label(form, "appeal-cover-fees").endswith("(adds €0.28 to a €2 gift, for example)")


@pytest.mark.parametrize(
    ("fields", "hint"),
    [
        ({"amount": "5", "currency": "eur"}, "(adds €0.33 to your €5 gift)"),
        ({"amount": "100", "currency": "gbp"}, "(adds £1.78 to your £100 gift)"),
        (
            {"amount": "other", "other_amount": "7.50", "currency": "usd"},
            "(adds US$0.37 to your US$7.50 gift)",
        ),
    ],
)
def test_cover_the_fees_says_what_it_adds_to_the_chosen_amount(client, appeal_url, fields, hint):
    # An unknown frequency makes the form come back, with the reader's choices kept.
    response = client.post(appeal_url, {**fields, "frequency": "fortnight", "cover_fees": "on"})

    assert response.status_code == 400
    assert _label(_form(response), "appeal-cover-fees").endswith(hint)
