"""Idempotent demo content: matched on slugs, images copied once through the storage API."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import demo_data
from .models import Appeal, Article, Author, CampaignGoal, GoalKind, Section, Tag
from .services import appeal_create_default

IMAGE_DIR = "articles/demo"
# The demo's lead images ship with the code as static JPEGs, one per demo article.
STATIC_IMAGE_DIR = "img/demo"


@dataclass(frozen=True)
class DemoResult:
    articles_created: int
    images_written: int
    appeal_created: bool


@transaction.atomic
def demo_content_load() -> DemoResult:
    sections = {
        slug: Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": text, "position": position}
        )[0]
        for slug, name, text, position in demo_data.SECTIONS
    }
    authors = {
        slug: Author.objects.get_or_create(
            slug=slug, defaults={"name": name, "role": role, "bio": bio}
        )[0]
        for slug, name, role, bio in demo_data.AUTHORS
    }
    tags = {
        slug: Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in demo_data.TAGS
    }
    now = timezone.now().replace(second=0, microsecond=0)
    created = images = 0
    for row in demo_data.ARTICLES:
        slug, section, author_slugs, tag_slugs, hours_ago, *_ = row
        images += _demo_image_write(slug=slug)
        if Article.objects.filter(slug=slug).exists():
            continue
        article = Article.objects.create(
            **_article_fields(row, published_at=now - timedelta(hours=hours_ago)),
            section=sections[section],
        )
        article.authors.set([authors[a] for a in author_slugs])
        article.tags.set([tags[t] for t in tag_slugs])
        created += 1
    created += _demo_draft(section=sections["local"], author=authors["maren-oduya"])
    appeal_created = False
    if not Appeal.objects.filter(is_live=True).exists():
        appeal_create_default(name="Demo appeal", is_live=True)
        appeal_created = True
    _demo_goal(now=now)
    return DemoResult(created, images, appeal_created)


def _demo_goal(*, now) -> None:
    """A running goal of new monthly supporters, so the appeal shows its progress bar."""
    if not CampaignGoal.objects.exists():
        CampaignGoal.objects.create(
            name="Demo goal",
            kind=GoalKind.SUPPORTERS,
            target=100,
            starts_at=now - timedelta(days=7),
            ends_at=now + timedelta(days=90),
        )


def _article_fields(row: tuple, *, published_at) -> dict:
    slug, _, _, _, _, headline, standfirst, paragraphs, alt, caption, credit, note = row
    body = "\n".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)
    fields = {
        "slug": slug,
        "headline": headline,
        "standfirst": standfirst,
        "body": body,
        "lead_image": f"{IMAGE_DIR}/{slug}.jpg",
        "lead_image_alt": alt,
        "lead_image_caption": caption,
        "lead_image_credit": credit,
        "status": Article.Status.PUBLISHED,
        "published_at": published_at,
    }
    if note:
        fields.update(update_note=note, updated_at=published_at + timedelta(minutes=95))
    return fields


def _demo_draft(*, section: Section, author: Author) -> int:
    if Article.objects.filter(slug=demo_data.DRAFT_SLUG).exists():
        return 0
    draft = Article.objects.create(
        slug=demo_data.DRAFT_SLUG,
        headline="Harbour dredging plans (draft, not yet checked)",
        standfirst="Staff can preview this story; readers cannot see it yet.",
        body="<p>Notes from the harbour board meeting go here.</p>",
        section=section,
    )
    draft.authors.set([author])
    return 1


def _demo_image_write(*, slug: str) -> int:
    """Copy the article's picture into media once; an existing file is left alone."""
    name = f"{IMAGE_DIR}/{slug}.jpg"
    if default_storage.exists(name):
        return 0
    source = finders.find(f"{STATIC_IMAGE_DIR}/{slug}.jpg")
    if source is None:
        raise RuntimeError(f"The demo picture {STATIC_IMAGE_DIR}/{slug}.jpg is missing.")
    saved = default_storage.save(name, ContentFile(Path(source).read_bytes()))
    if saved != name:
        # FileSystemStorage renames on a clash (a concurrent run); say so, do not hide it.
        raise RuntimeError(f"Storage saved {saved!r} instead of {name!r}.")
    return 1
