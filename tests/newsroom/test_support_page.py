"""/support/ speaks for itself, and thanks a reader who already gives."""

import pytest
from django.core import signing
from django.urls import reverse

from newsroom.models.appeal import DEFAULT_HEADING
from newsroom.services import appeal_create_default
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT
from tests.factories import ArticleFactory

from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_appeal():
    # The live appeal's words are written for the end of an article.
    return appeal_create_default(name="Spring", is_live=True)


def _as_supporter(client) -> None:
    signer = signing.get_cookie_signer(salt=SUPPORTER_COOKIE + SUPPORTER_COOKIE_SALT)
    client.cookies[SUPPORTER_COOKIE] = signer.sign("a-contribution-public-id")


def _text(response) -> str:
    return parse(response.content).find("main").text


def test_the_support_page_has_its_own_words_not_the_end_of_article_appeal(client):
    text = _text(client.get(reverse("newsroom:support")))

    assert "Support The Harbour Ledger" in text
    assert "Gifts pay reporters to sit through council meetings" in text
    assert "Choose your gift" in text
    assert DEFAULT_HEADING not in text
    assert "Before you go" not in text
    assert "what you have just read" not in text


def test_an_article_still_ends_with_the_live_appeal(client):
    text = _text(client.get(ArticleFactory().get_absolute_url()))

    assert DEFAULT_HEADING in text
    assert "what you have just read" in text


def test_a_supporter_is_thanked_on_the_support_page_and_may_give_again(client):
    _as_supporter(client)

    response = client.get(reverse("newsroom:support"))

    text = _text(response)
    assert "Thank you: you already support The Harbour Ledger" in text
    assert parse(response.content).find("a", href=reverse("subscriptions:manage_request"))
    # The manage page's "Give again" button leads here, so the form stays.
    assert "Give again" in text
    assert parse(response.content).find("input", name="amount")
    assert "Choose your gift" not in text


def test_a_forged_supporter_cookie_is_not_thanked(client):
    client.cookies[SUPPORTER_COOKIE] = "a-contribution-public-id"

    text = _text(client.get(reverse("newsroom:support")))

    assert "already support" not in text
    assert "Choose your gift" in text


def test_a_supporter_sees_the_thank_you_on_articles_too(client):
    _as_supporter(client)

    response = client.get(ArticleFactory().get_absolute_url())

    assert "Thank you for supporting The Harbour Ledger" in _text(response)
    assert not parse(response.content).find("input", name="amount")
