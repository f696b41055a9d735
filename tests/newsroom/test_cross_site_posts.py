"""The appeal form without a CSRF token: cross-site posts refused, the site's own accepted,
and a double click still opens one checkout, with or without script."""

import uuid

import pytest
from django.urls import reverse

from subscriptions.models import Contribution
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

GIFT = {"amount": "5", "currency": "eur", "frequency": "month"}


@pytest.mark.parametrize("page", ["article", "support"])
def test_a_post_from_another_site_is_refused_and_opens_nothing(client, stripe_settings, page):
    url = ArticleFactory().get_absolute_url() if page == "article" else reverse("newsroom:support")

    response = client.post(
        url, GIFT, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site"
    )

    assert response.status_code == 403
    assert "sent to us from another website" in response.content.decode()
    assert Contribution.objects.count() == 0


def test_a_post_naming_another_origin_is_refused_without_fetch_metadata(client, stripe_settings):
    response = client.post(reverse("newsroom:support"), GIFT, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {},  # an old browser or a script: neither header
    ],
    ids=["same-origin", "same-site", "typed", "no-headers"],
)
def test_a_post_from_the_site_itself_starts_the_gift(client, stripe_settings, headers):
    response = client.post(reverse("newsroom:support"), GIFT, **headers)

    assert response.status_code == 303
    assert Contribution.objects.count() == 1


def test_the_manage_form_still_needs_its_csrf_token(stripe_settings):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("subscriptions:manage_request"), {"email": "reader@example.org"}
    )

    assert response.status_code == 403


def test_a_double_click_with_script_opens_one_checkout(client, stripe_settings, stripe_api):
    token = str(uuid.uuid4())  # what appeal.js fills in when the page loads

    first = client.post(reverse("newsroom:support"), {**GIFT, "form_token": token})
    second = client.post(reverse("newsroom:support"), {**GIFT, "form_token": token})

    assert first["Location"] == second["Location"]
    assert Contribution.objects.count() == 1
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 1


def test_a_double_click_without_script_opens_one_checkout(client, stripe_settings, stripe_api):
    first = client.post(reverse("newsroom:support"), {**GIFT, "form_token": ""})
    second = client.post(reverse("newsroom:support"), {**GIFT, "form_token": ""})

    assert first["Location"] == second["Location"]
    assert Contribution.objects.count() == 1
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 1


def test_two_readers_on_one_shared_page_open_two_checkouts(client, stripe_settings, stripe_api):
    """Every reader gets the same cached page; their own tokens keep their gifts apart."""
    for _ in range(2):
        response = client.post(
            reverse("newsroom:support"), {**GIFT, "form_token": str(uuid.uuid4())}
        )
        assert response.status_code == 303

    assert Contribution.objects.count() == 2
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 2
