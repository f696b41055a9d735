import xml.etree.ElementTree as ET  # noqa: S405 (our own output)

import pytest

from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_feed_is_rss_with_published_articles_author_and_section(client):
    author = AuthorFactory(name="Ines Callow")
    section = SectionFactory(name="Culture")
    article = ArticleFactory(authors=[author], section=section, headline="Jazz line-up")
    ArticleFactory(draft=True, headline="A draft")
    ArticleFactory(scheduled=True, headline="Tomorrow's story")
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "rss"
    items = root.findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Jazz line-up"]
    item = items[0]
    assert item.findtext("link").endswith(article.get_absolute_url())
    assert "Ines Callow" in (item.findtext("author") or item.findtext("{*}creator") or "")
    assert "Culture" in [c.text for c in item.findall("category")]
    assert item.findtext("pubDate")


def test_feed_holds_the_latest_twenty(client):
    ArticleFactory.create_batch(22)
    root = ET.fromstring(client.get("/feed/").content)  # noqa: S314
    assert len(root.findall("./channel/item")) == 20


def test_sitemap_lists_public_pages_and_never_drafts(client):
    author = AuthorFactory()
    section = SectionFactory()
    published = ArticleFactory(authors=[author], section=section)
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314
    locations = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    paths = {loc.split("testserver", 1)[1] for loc in locations}
    assert published.get_absolute_url() in paths
    assert section.get_absolute_url() in paths
    assert author.get_absolute_url() in paths
    assert {"/", "/support/"} <= paths
    assert draft.get_absolute_url() not in paths
    assert scheduled.get_absolute_url() not in paths
    # An author whose only story is a draft has no public page worth listing.
    for hidden in [*draft.authors.all(), *scheduled.authors.all()]:
        assert hidden.get_absolute_url() not in paths
