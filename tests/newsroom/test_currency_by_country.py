"""The appeal's default currency follows the reader's country (the CDN's header), then
Accept-Language, then the newsroom's default; each currency has its own cached page, and
no reader is ever shown another's currency by way of the cache."""

import pytest
from django.test import RequestFactory

from newsroom.currencies import country_header_name, currency_for_request
from newsroom.services import appeal_create_default
from subscriptions.models import Contribution
from tests.factories import ArticleFactory
from tests.newsroom.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_url():
    appeal_create_default(name="Live", is_live=True)
    return ArticleFactory().get_absolute_url()


def _selected_currency(response) -> str:
    select = parse(response.content).find("select", name="currency")
    return next(option.attrs["value"] for option in select.children if "selected" in option.attrs)


def _request(**meta):
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"HTTP_CF_IPCOUNTRY": "GB"}, "gbp"),
        ({"HTTP_CF_IPCOUNTRY": "us"}, "usd"),
        ({"HTTP_CF_IPCOUNTRY": "DE"}, "eur"),
        # The country wins over the language.
        ({"HTTP_CF_IPCOUNTRY": "US", "HTTP_ACCEPT_LANGUAGE": "en-GB"}, "usd"),
        # Unknown (XX) or Tor (T1) countries, or none: the language's region.
        ({"HTTP_CF_IPCOUNTRY": "XX", "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}, "gbp"),
        ({"HTTP_ACCEPT_LANGUAGE": "ru, en-US;q=0.7"}, "usd"),
        # A country whose currency we do not take, and a language with no region.
        ({"HTTP_CF_IPCOUNTRY": "JP", "HTTP_ACCEPT_LANGUAGE": "ja"}, "eur"),
        ({}, "eur"),
    ],
)
def test_the_default_currency_follows_country_then_language(meta, expected):
    assert currency_for_request(_request(**meta)) == expected


def test_the_header_and_mapping_are_settings(settings):
    settings.NEWSROOM_COUNTRY_HEADER = "HTTP_X_COUNTRY_CODE"
    settings.NEWSROOM_COUNTRY_CURRENCIES = {"CH": "eur", "GB": "gbp"}

    assert currency_for_request(_request(HTTP_X_COUNTRY_CODE="CH")) == "eur"
    assert currency_for_request(_request(HTTP_X_COUNTRY_CODE="US")) == "eur"
    assert currency_for_request(_request(HTTP_CF_IPCOUNTRY="GB")) == "eur"
    assert country_header_name() == "X-Country-Code"


def test_only_currencies_we_take_are_chosen(settings):
    settings.CONTRIBUTION_CURRENCIES = ["eur", "usd"]

    assert currency_for_request(_request(HTTP_CF_IPCOUNTRY="GB")) == "eur"


def test_no_reader_sees_another_readers_currency_through_the_cache(client, article_url):
    readers = [
        ({"HTTP_CF_IPCOUNTRY": "GB"}, "gbp"),
        ({"HTTP_CF_IPCOUNTRY": "US"}, "usd"),
        ({}, "eur"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-GB"}, "gbp"),
        ({"HTTP_CF_IPCOUNTRY": "FR"}, "eur"),
    ]
    # Twice round: first renders, second comes from the cache.
    for _ in range(2):
        for meta, expected in readers:
            response = client.get(article_url, **meta)
            assert _selected_currency(response) == expected, meta


def test_pages_vary_on_the_country_header_and_language(client, article_url):
    for _ in range(2):
        response = client.get(article_url, HTTP_CF_IPCOUNTRY="GB")
        vary = {name.strip().lower() for name in response["Vary"].split(",")}
        assert {"cookie", "cf-ipcountry", "accept-language"} <= vary


def test_the_reader_can_switch_currency(client, stripe_settings, article_url):
    response = client.post(
        article_url,
        {"amount": "5", "currency": "eur", "frequency": "month"},
        HTTP_CF_IPCOUNTRY="GB",
    )

    assert response.status_code == 303
    assert Contribution.objects.get().currency == "eur"


def test_a_refused_gift_keeps_the_currency_the_reader_chose(client, article_url):
    response = client.post(
        article_url,
        {"amount": "1", "currency": "usd", "frequency": "month"},
        HTTP_CF_IPCOUNTRY="GB",
    )

    assert response.status_code == 400
    assert _selected_currency(response) == "usd"
