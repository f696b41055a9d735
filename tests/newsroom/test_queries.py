import pytest
from django.urls import reverse

from newsroom.services import appeal_create_default
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_site():
    appeal_create_default(name="Live", is_live=True)
    sections = [SectionFactory() for _ in range(4)]
    authors = AuthorFactory.create_batch(3)
    tags = TagFactory.create_batch(4)
    return [ArticleFactory(section=sections[i % 4], authors=authors, tags=tags) for i in range(20)]


def test_a_warm_article_page_makes_a_handful_of_queries(
    client, busy_site, django_assert_max_num_queries
):
    url = busy_site[0].get_absolute_url()
    client.get(url)  # warms the cache: navigation and the live appeal
    # Article with its section, then its authors, then its tags.
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200


def test_front_page_queries_do_not_grow_with_sections(
    client, busy_site, django_assert_max_num_queries
):
    client.get("/")
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("name", ["newsroom:feed", "newsroom:support"])
def test_other_pages_stay_small(client, busy_site, django_assert_max_num_queries, name):
    client.get(reverse(name))
    with django_assert_max_num_queries(5):
        assert client.get(reverse(name)).status_code == 200
