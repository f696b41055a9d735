"""Pages in the reader's language: Accept-Language, the switch (a cookie), and an
article's own language; and the page cache never hands one language's page to another."""

import pytest
from django.urls import reverse

from newsroom.services import appeal_create_default
from tests.factories import AppealFactory, ArticleFactory

pytestmark = pytest.mark.django_db

RUSSIAN = "ru-RU,ru;q=0.9,en;q=0.5"
ENGLISH = "en-GB,en;q=0.9"
SUPPORT_RU = "Поддержите"
SUPPORT_EN = "Support our journalism"


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def appeals():
    english = AppealFactory(heading="Before you go: one small thing", language="en")
    russian = AppealFactory(heading="Пока вы здесь: одна маленькая просьба", language="ru")
    return english, russian


def test_accept_language_russian_gives_the_support_page_in_russian(client):
    response = client.get(reverse("newsroom:support"), HTTP_ACCEPT_LANGUAGE=RUSSIAN)

    page = _text(response)
    assert response.status_code == 200
    assert '<html lang="ru-RU">' in page
    assert "Поддержите нашу журналистику" in page
    assert "Как часто вы хотите нас поддерживать?" in page
    assert "Перейти к оплате" in page
    assert "Continue to payment" not in page
    assert response["Content-Language"] == "ru"
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_without_a_russian_preference_pages_stay_english(client):
    response = client.get(reverse("newsroom:support"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    page = _text(response)
    assert '<html lang="en-GB">' in page
    assert "Continue to payment" in page
    assert "Перейти к оплате" not in page


def test_a_russian_article_has_a_russian_page_and_appeal_whatever_the_browser_asks(client, appeals):
    article = ArticleFactory(headline="Паром будет ходить чаще", language="ru")

    for accept in (ENGLISH, RUSSIAN, ""):
        response = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=accept)
        page = _text(response)
        assert response.status_code == 200
        assert '<html lang="ru-RU">' in page
        assert "Пока вы здесь: одна маленькая просьба" in page  # the Russian live appeal
        assert "Before you go" not in page
        assert "Перейти к оплате" in page
        assert "Опубликовано" in page
        assert response["Content-Language"] == "ru"


def test_an_english_article_stays_english_for_a_russian_browser(client, appeals):
    article = ArticleFactory(headline="Ferry to run more often")

    page = _text(client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=RUSSIAN))

    assert "Before you go: one small thing" in page
    assert "Continue to payment" in page
    assert "Пока вы здесь" not in page


def test_a_language_without_a_live_appeal_shows_the_built_in_one_translated(client):
    appeal_create_default(name="English only", is_live=True)
    article = ArticleFactory(language="ru")

    page = _text(client.get(article.get_absolute_url()))

    assert "Прежде чем вы уйдёте: у нас к вам небольшая просьба" in page


def test_the_switch_sets_the_language_and_comes_back_to_the_page(client):
    section_path = ArticleFactory().section.get_absolute_url()

    english = _text(client.get(section_path, HTTP_ACCEPT_LANGUAGE=ENGLISH))
    switch = reverse("newsroom:language", kwargs={"code": "ru"}) + f"?next={section_path}"
    assert f'href="{switch}"' in english.replace("&amp;", "&")  # a plain link, no script

    response = client.get(switch, HTTP_ACCEPT_LANGUAGE=ENGLISH)
    assert response.status_code == 303
    assert response["Location"] == section_path
    assert response.cookies["language"].value == "ru"
    assert response["Cache-Control"] == "no-store"

    russian = client.get(section_path, HTTP_ACCEPT_LANGUAGE=ENGLISH)
    assert "Главная" in _text(russian)  # "Front page" in the navigation
    back = reverse("newsroom:language", kwargs={"code": "en"}) + f"?next={section_path}"
    client.get(back)
    assert "Front page" in _text(client.get(section_path, HTTP_ACCEPT_LANGUAGE=RUSSIAN))


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_the_switch_never_sends_a_reader_to_another_site(client, next_url):
    url = reverse("newsroom:language", kwargs={"code": "ru"})

    response = client.get(url, {"next": next_url})

    assert response.status_code == 303
    assert response["Location"] == "/"


def test_the_switch_refuses_a_language_we_do_not_have(client):
    response = client.get(reverse("newsroom:language", kwargs={"code": "xx"}), {"next": "/"})

    assert response.status_code == 404
    assert "language" not in response.cookies


def test_the_switch_takes_no_post(client):
    url = reverse("newsroom:language", kwargs={"code": "ru"})

    assert client.post(url, {"next": "/"}).status_code == 405


def test_the_page_cache_keeps_one_entry_per_language(client, appeals):
    """A cached English page is never served to a Russian reader, nor the other way:
    whether the language comes from Accept-Language or from the switch's cookie."""
    ArticleFactory()
    support = reverse("newsroom:support")
    for path in ("/", support):
        assert SUPPORT_EN in _text(client.get(path, HTTP_ACCEPT_LANGUAGE=ENGLISH))
        assert SUPPORT_RU in _text(client.get(path, HTTP_ACCEPT_LANGUAGE=RUSSIAN))
        # Warm now: each language still gets its own page.
        english = client.get(path, HTTP_ACCEPT_LANGUAGE=ENGLISH)
        russian = client.get(path, HTTP_ACCEPT_LANGUAGE=RUSSIAN)
        assert SUPPORT_EN in _text(english)
        assert SUPPORT_RU not in _text(english)
        assert SUPPORT_RU in _text(russian)
        assert english["ETag"] != russian["ETag"]
        assert "Accept-Language" in russian["Vary"]

    client.cookies["language"] = "ru"
    assert SUPPORT_RU in _text(client.get(support, HTTP_ACCEPT_LANGUAGE=ENGLISH))
    client.cookies["language"] = "en"
    assert SUPPORT_EN in _text(client.get(support, HTTP_ACCEPT_LANGUAGE=RUSSIAN))


def test_cached_articles_keep_their_own_language(client, appeals):
    russian = ArticleFactory(language="ru")
    english = ArticleFactory()
    for _warm in range(2):
        for accept in (ENGLISH, RUSSIAN):
            ru_page = _text(client.get(russian.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=accept))
            en_page = _text(client.get(english.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=accept))
            assert "Перейти к оплате" in ru_page
            assert "Continue to payment" not in ru_page
            assert "Continue to payment" in en_page
            assert "Перейти к оплате" not in en_page


def test_a_refused_gift_on_a_russian_article_is_told_in_russian(client, appeals):
    article = ArticleFactory(language="ru")

    response = client.post(
        article.get_absolute_url(),
        {"amount": "1", "currency": "eur", "frequency": "month"},
        HTTP_ACCEPT_LANGUAGE=ENGLISH,
    )

    page = _text(response)
    assert response.status_code == 400
    assert "Пожалуйста, введите сумму не меньше 2\u00a0€." in page  # Babel's Russian money
    assert "Пожалуйста, проверьте пожертвование" in page


def test_amounts_and_hints_follow_the_language(client, appeals):
    page = _text(client.get(reverse("newsroom:support"), HTTP_ACCEPT_LANGUAGE=RUSSIAN))

    assert "(от {amount})" in page  # the script's template, translated
    assert "(например, добавит 0,28\u00a0€ к пожертвованию в 2\u00a0€)" in page
