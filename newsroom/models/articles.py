from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..images import LEAD_IMAGE_EXTENSIONS
from ..sanitize import article_html_clean


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in the navigation and on the front page."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:section", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(blank=True)
    role = models.CharField(max_length=150, blank=True, help_text="For example “Health reporter”.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:author", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None) -> "ArticleQuerySet":
        """Public: published status and a publication time that has arrived."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_listing(self) -> "ArticleQuerySet":
        return self.select_related("section").prefetch_related("authors")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(
        blank=True, help_text="One or two sentences under the headline: what and why it matters."
    )
    body = models.TextField(
        help_text="HTML. Scripts, event attributes and javascript: links are removed on save."
    )
    # Raster pictures only; the admin form re-encodes each upload (newsroom/images.py).
    lead_image = models.ImageField(
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(LEAD_IMAGE_EXTENSIONS)],
        help_text="A JPEG, PNG or WebP picture; its metadata (camera, place) is removed.",
    )
    lead_image_alt = models.CharField(
        "lead image alt text",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    lead_image_caption = models.CharField(max_length=300, blank=True)
    lead_image_credit = models.CharField(max_length=150, blank=True)
    authors = models.ManyToManyField(Author, related_name="articles")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The page and its appeal are in this language, whatever the reader's browser asks for.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language the story is written in; its page and appeal follow it.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="A future time keeps the article hidden until then."
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Set with an update note when the story changes."
    )
    update_note = models.CharField(
        max_length=300, blank=True, help_text="For example “adds the council's response”."
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="newsroom_article_front"),
            models.Index(
                fields=["section", "status", "-published_at"], name="newsroom_article_section"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="newsroom_article_published_has_date",
                violation_error_message="A published article needs a publication time.",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        self.body = article_html_clean(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("newsroom:article", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )
