"""Reader pages from the shared cache: the right variant for each reader, fresh after an
edit, headers a CDN can act on, and no SQL for a warm page."""

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from newsroom.models import Article
from newsroom.page_cache import APPEAL, _entry_key
from newsroom.services import appeal_create_default, article_publish_many
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

APPEAL_HEADING = 'id="appeal-heading"'
THANK_YOU_HEADING = "Thank you for supporting"


def _as_supporter(client) -> None:
    signer = signing.get_cookie_signer(salt=SUPPORTER_COOKIE + SUPPORTER_COOKIE_SALT)
    client.cookies[SUPPORTER_COOKIE] = signer.sign("a-contribution-public-id")


@pytest.fixture
def article():
    appeal_create_default(name="Live", is_live=True)
    return ArticleFactory(headline="Harbour wall to be rebuilt")


def test_a_warm_article_makes_no_query_and_may_be_shared(
    client, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert "Harbour wall to be rebuilt" in response.content.decode()
    assert APPEAL_HEADING in response.content.decode()
    cache_control = response["Cache-Control"]
    assert cache_control.startswith("public, max-age=")
    assert "stale-while-revalidate=" in cache_control
    assert not response.cookies
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")


@pytest.mark.parametrize(
    "url_of",
    [
        lambda article: article.get_absolute_url(),
        lambda article: "/",
        lambda article: article.section.get_absolute_url(),
        lambda article: reverse("newsroom:support"),
    ],
    ids=["article", "front", "section", "support"],
)
def test_reader_pages_set_no_cookie_and_carry_no_token(client, article, url_of):
    response = client.get(url_of(article))

    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert response["Cache-Control"].startswith("public")


def test_an_unchanged_page_answers_304_to_its_etag(client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_a_supporter_is_never_shown_the_appeal_a_reader_cached(client, article):
    url = article.get_absolute_url()
    assert APPEAL_HEADING in client.get(url).content.decode()  # the reader's page, cached

    _as_supporter(client)
    first = client.get(url)
    second = client.get(url)  # now from the cache too

    for response in (first, second):
        page = response.content.decode()
        assert THANK_YOU_HEADING in page
        assert APPEAL_HEADING not in page
        assert response["Cache-Control"].startswith("private")


def test_a_reader_is_never_shown_the_thank_you_a_supporter_cached(client, article, settings):
    url = article.get_absolute_url()
    _as_supporter(client)
    assert THANK_YOU_HEADING in client.get(url).content.decode()
    assert THANK_YOU_HEADING in client.get(url).content.decode()

    del client.cookies[SUPPORTER_COOKIE]
    reader = client.get(url).content.decode()

    assert APPEAL_HEADING in reader
    assert THANK_YOU_HEADING not in reader


def test_a_forged_supporter_cookie_gets_the_appeal_from_the_cache(client, article):
    url = article.get_absolute_url()
    client.get(url)
    client.cookies[SUPPORTER_COOKIE] = "a-contribution-public-id"

    page = client.get(url).content.decode()

    assert APPEAL_HEADING in page
    assert THANK_YOU_HEADING not in page


def test_an_edit_shows_on_the_next_request(client, article):
    url = article.get_absolute_url()
    client.get(url)
    client.get("/")

    article.headline = "Harbour wall rebuild postponed"
    article.save()

    assert "Harbour wall rebuild postponed" in client.get(url).content.decode()
    assert "Harbour wall rebuild postponed" in client.get("/").content.decode()


def test_publishing_from_the_admin_list_shows_on_the_front_page_at_once(client, article):
    draft = ArticleFactory(headline="Ferry timetable changes", draft=True)
    assert "Ferry timetable changes" not in client.get("/").content.decode()

    article_publish_many(articles=Article.objects.filter(pk=draft.pk))

    assert "Ferry timetable changes" in client.get("/").content.decode()


def test_a_change_of_the_live_appeal_shows_on_the_next_request(client, article):
    url = article.get_absolute_url()
    client.get(url)

    new = appeal_create_default(name="Spring", is_live=False)
    new.heading = "Keep the harbour reporter on the beat"
    new.save()
    from newsroom.services import appeal_make_live

    appeal_make_live(appeal=new)

    assert "Keep the harbour reporter on the beat" in client.get(url).content.decode()


def test_staff_see_drafts_and_never_a_shared_copy(staff_client, client, article):
    draft = ArticleFactory(headline="Unpublished investigation", draft=True)

    staff_page = staff_client.get(draft.get_absolute_url())
    assert staff_page.status_code == 200
    assert "private" in staff_page["Cache-Control"]

    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_while_another_request_refills_a_stale_page_it_is_served_stale_without_sql(
    client, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    client.get(url)
    article.standfirst = "A new standfirst."
    article.save()  # every cached page is stale now
    lock = _entry_key(_request_for(url), APPEAL) + ":fill"
    cache.add(lock, 1, 30)  # another request is refilling this page
    try:
        with django_assert_num_queries(0):
            response = client.get(url)
    finally:
        cache.delete(lock)

    assert response.status_code == 200
    assert "A new standfirst." not in response.content.decode()
    assert "A new standfirst." in client.get(url).content.decode()  # refilled next time


def _request_for(url: str):
    from django.test import RequestFactory

    return RequestFactory().get(url)


@pytest.mark.parametrize("name", ["subscriptions:thanks", "subscriptions:manage_request"])
def test_a_supporters_own_pages_are_never_stored(client, name):
    response = client.get(reverse(name))

    assert "no-store" in response["Cache-Control"]
