from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, TagFactory

from .html import parse

pytestmark = pytest.mark.django_db


def assert_good_page(response, *, title_contains: str) -> None:
    """The layout promises every page: landmarks, one h1, skip link, title, canonical."""
    assert response.status_code == 200
    doc = parse(response.content)
    html = doc.find("html")
    assert html.attrs.get("lang")
    assert doc.find("meta", name="viewport")
    assert title_contains in doc.find("title").text
    assert len(doc.find_all("h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.find(landmark), landmark
    skip = doc.find("a", **{"class": "skip-link"})
    assert skip.attrs["href"] == "#main"
    assert doc.find("main").attrs["id"] == "main"
    canonical = doc.find("link", rel="canonical")
    assert canonical.attrs["href"].startswith("http")
    assert doc.find("link", rel="alternate", type="application/rss+xml").attrs["href"] == "/feed/"


def test_front_page_lists_lead_latest_and_section_blocks(client):
    local = SectionFactory(name="Local", slug="local", position=1)
    culture = SectionFactory(name="Culture", slug="culture", position=2)
    now = timezone.now()
    newest = ArticleFactory(section=local, headline="Newest story", published_at=now)
    older = [
        ArticleFactory(section=culture, published_at=now - timedelta(hours=h)) for h in (1, 2, 3)
    ]
    response = client.get(reverse("newsroom:front_page"))
    assert_good_page(response, title_contains="Harbour Ledger")
    doc = parse(response.content)
    lead = doc.find("section", **{"class": "front-lead"})
    assert "Newest story" in lead.text
    links = {a.attrs.get("href") for a in doc.find_all("a")}
    for article in [newest, *older]:
        assert article.get_absolute_url() in links
    headings = [h.text for h in doc.find_all("h2")]
    assert "Local" in headings
    assert "Culture" in headings
    assert headings.index("Local") < headings.index("Culture")


def test_front_page_with_nothing_published(client):
    ArticleFactory(draft=True, headline="Secret draft")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Secret draft" not in response.content
    assert b"No stories have been published yet" in response.content


def test_article_page_shows_everything_a_reader_needs(client):
    section = SectionFactory(name="Environment", slug="environment")
    author = AuthorFactory(name="Tomas Reyhill", slug="tomas-reyhill")
    second = AuthorFactory(name="Dev Ashgrove", slug="dev-ashgrove")
    tag = TagFactory(name="Estuary")
    published = timezone.now().replace(microsecond=0) - timedelta(days=2)
    article = ArticleFactory(
        headline="Saltmarsh returns",
        standfirst="The mud is turning green.",
        body="<p>Engineers opened the wall.</p><h2>What next</h2>",
        section=section,
        authors=[author, second],
        tags=[tag],
        published_at=published,
        updated_at=published + timedelta(hours=3),
        update_note="adds the trust's response",
        lead_image="articles/2026/03/marsh.svg",
        lead_image_alt="Green plants on grey mud",
        lead_image_caption="Ebb Point at low tide.",
        lead_image_credit="A. Photographer",
    )
    response = client.get(article.get_absolute_url())
    assert_good_page(response, title_contains="Saltmarsh returns")
    doc = parse(response.content)
    assert doc.find("h1").text == "Saltmarsh returns"
    text = doc.find("main").text
    assert "The mud is turning green." in text
    assert "Engineers opened the wall." in text
    assert "Ebb Point at low tide." in text
    assert "A. Photographer" in text
    assert "Estuary" in text
    assert "adds the trust's response" in text
    img = doc.find("img", alt="Green plants on grey mud")
    assert img.attrs["src"] == "/media/articles/2026/03/marsh.svg"
    hrefs = {a.attrs.get("href") for a in doc.find_all("a")}
    assert {
        author.get_absolute_url(),
        second.get_absolute_url(),
        section.get_absolute_url(),
    } <= hrefs
    times = [t.attrs["datetime"] for t in doc.find_all("time")]
    assert published.isoformat() in times
    assert (published + timedelta(hours=3)).isoformat() in times
    assert "Updated" in doc.find("span", **{"class": "story__update"}).text


def test_times_are_shown_in_the_newsroom_time_zone(client, settings):
    settings.NEWSROOM_TIME_ZONE = "America/New_York"
    published = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    article = ArticleFactory(published_at=published)
    doc = parse(client.get(article.get_absolute_url()).content)
    time = doc.find("time")
    assert time.attrs["datetime"] == "2026-03-03T14:05:00+00:00"
    assert time.text == "09:05, 3 March 2026"


def test_section_page_lists_only_its_published_articles_and_paginates(client):
    section = SectionFactory(name="Culture", slug="culture")
    other = SectionFactory()
    now = timezone.now()
    mine = [
        ArticleFactory(section=section, published_at=now - timedelta(hours=h)) for h in range(12)
    ]
    ArticleFactory(section=other, headline="Elsewhere")
    ArticleFactory(section=section, draft=True, headline="Unfinished")
    response = client.get(section.get_absolute_url())
    assert_good_page(response, title_contains="Culture")
    assert b"Elsewhere" not in response.content
    assert b"Unfinished" not in response.content
    assert mine[0].headline.encode() in response.content
    assert mine[11].headline.encode() not in response.content
    second = client.get(section.get_absolute_url(), {"page": 2})
    assert second.status_code == 200
    assert mine[11].headline.encode() in second.content
    assert b"Page 2 of 2" in second.content


def test_author_page_shows_bio_and_their_articles(client):
    author = AuthorFactory(name="Maren Oduya", bio="Reads every planning file.")
    theirs = ArticleFactory(authors=[author], headline="Bus lane approved")
    ArticleFactory(headline="Someone else's story")
    ArticleFactory(authors=[author], draft=True, headline="Their draft")
    response = client.get(author.get_absolute_url())
    assert_good_page(response, title_contains="Maren Oduya")
    assert b"Reads every planning file." in response.content
    assert theirs.headline.encode() in response.content
    assert b"Someone else's story" not in response.content
    assert b"Their draft" not in response.content


def test_support_page(client):
    response = client.get(reverse("newsroom:support"))
    assert_good_page(response, title_contains="Support")
    assert parse(response.content).find("form", method="post")


@pytest.mark.parametrize("name", ["newsroom:article", "newsroom:section", "newsroom:author"])
def test_unknown_slugs_are_404_with_our_page(client, name):
    response = client.get(reverse(name, kwargs={"slug": "no-such-thing"}))
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
