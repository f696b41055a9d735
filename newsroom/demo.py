"""Idempotent demo content: matched on slugs, images written once through the storage API."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import demo_data
from .models import Appeal, Article, Author, Section, Tag
from .services import appeal_create_default

IMAGE_DIR = "articles/demo"


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
    for index, row in enumerate(demo_data.ARTICLES):
        slug, section, author_slugs, tag_slugs, hours_ago, *_ = row
        images += _demo_image_write(slug=slug, index=index)
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
    return DemoResult(created, images, appeal_created)


def _article_fields(row: tuple, *, published_at) -> dict:
    slug, _, _, _, _, headline, standfirst, paragraphs, alt, caption, credit, note = row
    body = "\n".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)
    fields = {
        "slug": slug,
        "headline": headline,
        "standfirst": standfirst,
        "body": body,
        "lead_image": f"{IMAGE_DIR}/{slug}.svg",
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


def _demo_image_write(*, slug: str, index: int) -> int:
    """Write the article's SVG once; an existing file is left alone (no duplicates)."""
    name = f"{IMAGE_DIR}/{slug}.svg"
    if default_storage.exists(name):
        return 0
    saved = default_storage.save(name, ContentFile(demo_svg(seed=slug, index=index).encode()))
    if saved != name:
        # FileSystemStorage renames on a clash (a concurrent run); say so, do not hide it.
        raise RuntimeError(f"Storage saved {saved!r} instead of {name!r}.")
    return 1


def demo_svg(*, seed: str, index: int) -> str:
    """A simple landscape (sky, sun, hills, water), coloured by the slug's hash."""
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] * 360 // 256
    sun_x = 200 + digest[1] * 3
    hill = 300 + digest[2] % 120
    sky_top, sky_bottom = f"hsl({hue},55%,32%)", f"hsl({(hue + 40) % 360},70%,78%)"
    land, water = f"hsl({(hue + 120) % 360},35%,30%)", f"hsl({(hue + 200) % 360},45%,38%)"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 675" width="1200" '
        f'height="675" role="img"><defs><linearGradient id="sky{index}" x1="0" y1="0" '
        f'x2="0" y2="1"><stop offset="0" stop-color="{sky_top}"/>'
        f'<stop offset="1" stop-color="{sky_bottom}"/></linearGradient></defs>'
        f'<rect width="1200" height="675" fill="url(#sky{index})"/>'
        f'<circle cx="{sun_x}" cy="{180 + digest[3] % 90}" r="{50 + digest[4] % 40}" '
        'fill="#fff6d5" opacity="0.9"/>'
        f'<path d="M0 {hill + 80} Q300 {hill - 60} 600 {hill + 40} T1200 {hill} V675 H0 Z" '
        f'fill="{land}"/>'
        f'<rect y="{520 + digest[5] % 40}" width="1200" height="200" fill="{water}"/>'
        f'<path d="M0 560 Q150 545 300 560 T600 560 T900 560 T1200 560" stroke="#ffffff" '
        'stroke-opacity="0.35" stroke-width="4" fill="none"/></svg>'
    )
