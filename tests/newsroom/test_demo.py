import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from newsroom.models import Appeal, AppealAmount, Article, Author, Section, Tag

pytestmark = pytest.mark.django_db


def snapshot(media_root):
    return {
        "sections": Section.objects.count(),
        "authors": Author.objects.count(),
        "tags": Tag.objects.count(),
        "articles": Article.objects.count(),
        "published": Article.objects.published().count(),
        "appeals": Appeal.objects.count(),
        "amounts": AppealAmount.objects.count(),
        "files": sorted(p.relative_to(media_root).as_posix() for p in media_root.rglob("*.*")),
        "modified": sorted(Article.objects.values_list("modified", flat=True)),
    }


def test_demo_content_is_rich_enough_to_show_the_site(client, media_root):
    call_command("load_demo_content")
    assert Section.objects.count() >= 3
    assert Author.objects.count() >= 4
    assert Article.objects.published().count() >= 12
    assert Article.objects.published().exclude(update_note="").exists()
    # One live appeal per language: the Russian stories end with the Russian one.
    live = Appeal.objects.filter(is_live=True).values_list("language", flat=True)
    assert sorted(live) == ["en", "ru"]
    assert Article.objects.published().filter(language="ru").count() >= 3
    for article in Article.objects.published():
        assert default_storage.exists(article.lead_image.name)
        assert article.lead_image_alt
        assert article.lead_image_credit
        assert article.authors.exists()
        assert article.tags.exists()
        assert client.get(article.get_absolute_url()).status_code == 200
    images = {default_storage.open(a.lead_image.name).read() for a in Article.objects.published()}
    assert len(images) == Article.objects.published().count(), "each article, its own picture"
    assert all(image.startswith(b"\xff\xd8\xff") for image in images), "JPEGs, not SVG"


def test_running_it_twice_changes_nothing(media_root):
    call_command("load_demo_content")
    first = snapshot(media_root)
    call_command("load_demo_content")
    assert snapshot(media_root) == first
    assert len(first["files"]) >= 12


def test_an_existing_live_appeal_is_left_alone():
    from tests.factories import AppealFactory

    mine = AppealFactory(name="Ours", is_live=True)
    call_command("load_demo_content")
    assert list(Appeal.objects.filter(is_live=True)) == [mine]
