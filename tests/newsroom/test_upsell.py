"""Once to monthly: a reader who chooses "once" is offered a smaller monthly gift before
checkout, in plain HTML (no script); their answer is kept on the gift and counted."""

import pytest
from django.urls import reverse

from newsroom.services import appeal_create_default
from subscriptions.models import Contribution
from subscriptions.selectors import upsell_figures
from tests.factories import ArticleFactory, ContributionFactory
from tests.gifts import offer_fields, offered_monthly
from tests.newsroom.html import parse

pytestmark = pytest.mark.django_db

ONCE = {"amount": "25", "currency": "eur", "frequency": "once"}


@pytest.fixture
def article_url():
    appeal_create_default(name="Live", is_live=True)
    return ArticleFactory().get_absolute_url()


def test_choosing_once_offers_a_smaller_monthly_gift_before_checkout(
    client, stripe_settings, article_url
):
    response = client.post(article_url, ONCE)

    assert response.status_code == 200
    assert offered_monthly(response)
    assert "no-store" in response["Cache-Control"]
    page = parse(response.content)
    buttons = {button.attrs["value"]: button.text for button in page.find_all("button")}
    assert buttons == {"accepted": "Give €5 monthly instead", "declined": "No, give €25 once"}
    # Plain submit buttons of a posted form: nothing here needs script.
    form = page.find("form", method="post")
    assert [button.attrs["type"] for button in form.find_all("button")] == ["submit", "submit"]
    assert not Contribution.objects.exists()  # nothing recorded, nothing at Stripe yet


def test_accepting_gives_monthly_and_records_it(client, stripe_settings, article_url):
    offer = client.post(article_url, ONCE)

    response = client.post(article_url, {**offer_fields(offer), "upsell": "accepted"})

    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_settings.url}/checkout/cs_")
    gift = Contribution.objects.get()
    assert (gift.amount, gift.currency, gift.frequency, gift.upsell) == (
        500,
        "eur",
        "month",
        "accepted",
    )


def test_declining_gives_once_as_first_chosen_and_records_it(client, stripe_settings, article_url):
    offer = client.post(article_url, {**ONCE, "cover_fees": "on"})

    response = client.post(article_url, {**offer_fields(offer), "upsell": "declined"})

    assert response.status_code == 303
    gift = Contribution.objects.get()
    assert (gift.frequency, gift.upsell, gift.covers_fees) == ("once", "declined", True)
    assert gift.amount - gift.covered_fee == 2500


def test_monthly_and_yearly_gifts_go_straight_to_checkout(client, stripe_settings, article_url):
    response = client.post(article_url, {**ONCE, "frequency": "month", "amount": "5"})

    assert response.status_code == 303
    assert Contribution.objects.get().upsell == ""


def test_no_offer_when_no_monthly_amount_is_smaller(client, stripe_settings, article_url):
    response = client.post(article_url, {**ONCE, "amount": "2"})

    assert response.status_code == 303
    assert Contribution.objects.get().upsell == ""


def test_a_tampered_monthly_amount_is_refused_and_opens_nothing(
    client, stripe_settings, article_url
):
    offer = client.post(article_url, ONCE)
    fields = {**offer_fields(offer), "upsell_amount": "0.10", "upsell": "accepted"}

    response = client.post(article_url, fields)

    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_the_support_page_offers_it_too(client, stripe_settings):
    response = client.post(reverse("newsroom:support"), {**ONCE, "currency": "usd"})

    assert offered_monthly(response)
    assert "Give US$5 monthly instead" in response.content.decode()


def test_the_admin_counts_how_readers_answered(superuser_client):
    ContributionFactory(frequency="month", upsell="accepted")
    ContributionFactory(frequency="once", status="paid", upsell="declined")
    ContributionFactory(frequency="once", status="paid", upsell="declined")
    ContributionFactory(frequency="once", status="pending", upsell="declined")  # never paid

    figures = upsell_figures()
    page = superuser_client.get(reverse("admin:subscriptions_contribution_changelist"))

    assert (figures.offered, figures.accepted, figures.declined) == (3, 1, 2)
    assert figures.accepted_percent == 33.3
    assert "Took the monthly gift instead (1, 33.3%)" in page.content.decode()
    accepted = superuser_client.get(
        reverse("admin:subscriptions_contribution_changelist") + "?upsell=accepted"
    )
    assert accepted.context["cl"].result_count == 1
