import pytest
from django.urls import reverse

from newsroom.models import Article
from tests.factories import (
    AppealAmountFactory,
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["article", "section", "author", "tag", "appeal"])
def test_changelist_and_add_pages_load(superuser_client, model):
    ArticleFactory()
    AppealAmountFactory()
    assert superuser_client.get(reverse(f"admin:newsroom_{model}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:newsroom_{model}_add")).status_code == 200


def test_article_change_page_and_appeal_change_page_load(superuser_client):
    article = ArticleFactory()
    amount = AppealAmountFactory()
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    assert superuser_client.get(url).status_code == 200
    url = reverse("admin:newsroom_appeal_change", args=[amount.appeal.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert b"\xe2\x82\xac5" in response.content  # the inline shows "€5"


def test_article_search_finds_by_author_name(superuser_client):
    ArticleFactory(headline="Bus lane", authors=[AuthorFactory(name="Maren Oduya")])
    ArticleFactory(headline="Jazz weekend")
    url = reverse("admin:newsroom_article_changelist")
    response = superuser_client.get(url, {"q": "Oduya"})
    assert b"Bus lane" in response.content
    assert b"Jazz weekend" not in response.content


def test_filters_load(superuser_client):
    ArticleFactory(tags=[TagFactory()])
    url = reverse("admin:newsroom_article_changelist")
    assert superuser_client.get(url, {"status__exact": "draft"}).status_code == 200


def test_publish_selected_action(superuser_client):
    drafts = ArticleFactory.create_batch(2, draft=True)
    response = superuser_client.post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]},
        follow=True,
    )
    assert response.status_code == 200
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert draft.published_at is not None
        assert draft.is_public


def test_an_article_needs_an_author(superuser_client):
    section = SectionFactory()
    data = {
        "headline": "No byline",
        "slug": "no-byline",
        "body": "<p>x</p>",
        "section": section.pk,
        "status": "draft",
    }
    response = superuser_client.post(reverse("admin:newsroom_article_add"), data)
    assert response.status_code == 200
    assert b"Add at least one author" in response.content
    assert not Article.objects.filter(slug="no-byline").exists()


def test_publishing_without_a_time_means_now(superuser_client):
    data = {
        "headline": "Straight out",
        "slug": "straight-out",
        "body": "<p>x</p>",
        "section": SectionFactory().pk,
        "authors": [AuthorFactory().pk],
        "status": "published",
    }
    response = superuser_client.post(reverse("admin:newsroom_article_add"), data)
    assert response.status_code == 302, response.content[:2000]
    assert Article.objects.get(slug="straight-out").is_public


def test_view_on_site_goes_to_the_staff_preview_of_a_draft(superuser_client):
    draft = ArticleFactory(draft=True)
    change = superuser_client.get(reverse("admin:newsroom_article_change", args=[draft.pk]))
    assert b"View on site" in change.content
    shortcut = superuser_client.get(change.context["original"] and _view_on_site_url(draft))
    assert shortcut.status_code == 302
    assert shortcut["Location"].endswith(draft.get_absolute_url())
    preview = superuser_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "Draft preview — not public" in preview.content.decode()


def _view_on_site_url(article):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(article)
    return reverse("admin:view_on_site", args=[content_type.pk, article.pk])
