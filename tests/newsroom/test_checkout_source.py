"""A gift remembers the page it came from, and a returning supporter's tries are counted."""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from subscriptions.models import Contribution
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT
from tests.factories import ArticleFactory, ContributionFactory
from tests.gifts import http_post_form, session_id_from

pytestmark = pytest.mark.django_db

GIFT = {"amount": "5", "currency": "eur", "frequency": "month"}


def _cancel_at_stripe(checkout_url: str) -> str:
    """Press the hosted checkout's cancel button; answer where Stripe sends the reader."""
    status, headers, body = http_post_form(f"{checkout_url}/cancel", {})
    assert status == 303, body[:2000]
    return headers["Location"]


def test_a_reader_who_cancels_at_stripe_comes_back_to_the_article(
    client, stripe_settings, settings, stripe_api
):
    article = ArticleFactory()

    response = client.post(article.get_absolute_url(), GIFT)

    assert _cancel_at_stripe(response["Location"]) == settings.SITE_URL + article.get_absolute_url()
    assert Contribution.objects.get().source_article == article
    session = stripe_api.v1.checkout.sessions.retrieve(session_id_from(response["Location"]))
    assert session["metadata"]["source_article"] == article.slug


def test_a_reader_who_cancels_at_stripe_comes_back_to_the_support_page(
    client, stripe_settings, settings, stripe_api
):
    response = client.post(reverse("newsroom:support"), GIFT)

    assert _cancel_at_stripe(response["Location"]) == settings.SITE_URL + reverse(
        "newsroom:support"
    )
    assert Contribution.objects.get().source_article is None
    session = stripe_api.v1.checkout.sessions.retrieve(session_id_from(response["Location"]))
    assert "source_article" not in session["metadata"]  # Stripe drops empty values


def test_a_returning_supporter_is_limited_by_email_from_any_connection(
    client, stripe_settings, settings, stripe_api
):
    settings.CHECKOUT_RATE_LIMIT_PER_IP = 100
    settings.CHECKOUT_RATE_LIMIT_PER_EMAIL = 2
    earlier = ContributionFactory(supporter__email="returning@example.org")
    signed = HttpResponse()
    signed.set_signed_cookie(SUPPORTER_COOKIE, str(earlier.public_id), salt=SUPPORTER_COOKIE_SALT)
    client.cookies[SUPPORTER_COOKIE] = signed.cookies[SUPPORTER_COOKIE].value

    for address in ("203.0.113.1", "203.0.113.2"):
        assert client.post("/support/", GIFT, REMOTE_ADDR=address).status_code == 303
    refused = client.post("/support/", GIFT, REMOTE_ADDR="203.0.113.3")

    assert refused.status_code == 429
    assert "too many attempts" in refused.content.decode().lower()
    assert 'name="amount"' in refused.content.decode()
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 2
