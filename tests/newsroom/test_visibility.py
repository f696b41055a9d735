import pytest

from newsroom.models import Article
from newsroom.selectors import article_list_published
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BANNER = b"Draft preview \xe2\x80\x94 not public"


@pytest.fixture
def articles():
    return {
        "published": ArticleFactory(headline="Out in the world"),
        "draft": ArticleFactory(draft=True, headline="Still being written"),
        "scheduled": ArticleFactory(scheduled=True, headline="Out tomorrow"),
    }


def test_selector_returns_only_published_articles_whose_time_has_come(articles):
    assert list(article_list_published()) == [articles["published"]]


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_unpublished_articles_are_404_for_readers(client, articles, state):
    response = client.get(articles[state].get_absolute_url())
    assert response.status_code == 404
    assert articles[state].headline.encode() not in response.content


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_logged_in_non_staff_cannot_preview(client, django_user_model, articles, state):
    client.force_login(django_user_model.objects.create_user(username="reader"))
    assert client.get(articles[state].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_staff_preview_unpublished_with_a_banner(staff_client, articles, state):
    response = staff_client.get(articles[state].get_absolute_url())
    assert response.status_code == 200
    assert BANNER in response.content
    assert articles[state].headline.encode() in response.content
    assert b'<meta name="robots" content="noindex">' in response.content


def test_staff_see_published_articles_without_the_banner(staff_client, articles):
    response = staff_client.get(articles["published"].get_absolute_url())
    assert response.status_code == 200
    assert BANNER not in response.content


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_unpublished_articles_stay_off_listings(client, articles, state):
    article = articles[state]
    for url in ["/", article.section.get_absolute_url(), "/feed/", "/sitemap.xml"]:
        assert article.headline.encode() not in client.get(url).content, url
    for author in article.authors.all():
        assert article.headline.encode() not in client.get(author.get_absolute_url()).content


def test_published_articles_need_a_publication_time():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)
