"""A/B tests of the appeal: several appeals live at once, each shown to a share of readers.

A test's variants are existing appeals (heading, text, suggested amounts, default
frequency) with a weight. Readers are assigned by a random bucket in a first-party cookie
(newsroom.variants); what they saw and started is counted in Redis and flushed here
(newsroom.counting); their gifts are the contributions that carry the variant.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .appeal import Appeal


class AppealTest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        ENDED = "ended", "Ended"

    name = models.CharField(
        max_length=100, help_text="For staff only, e.g. “Spring headline test”."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey(
        Appeal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The appeal kept live when the test ended.",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="newsroom_one_running_appeal_test",
                violation_error_message="Another test is already running: end it first.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "running", "ended"]),
                name="newsroom_appeal_test_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display().lower()})"


class AppealVariant(models.Model):
    """One appeal in one test, shown to `weight` shares of the test's readers."""

    test = models.ForeignKey(AppealTest, on_delete=models.CASCADE, related_name="variants")
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="variants")
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Its share of readers: weights 1 and 1 split them evenly, 3 and 1 three to one.",
    )

    class Meta:
        ordering = ["test", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["test", "appeal"], name="newsroom_variant_once_per_test"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="newsroom_variant_weight_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.name} ×{self.weight}"


class AppealVariantTally(models.Model):
    """Impressions and form starts of one variant on one page, flushed from Redis.

    `article_id` is the article's id, or 0 for the support page; a plain number, so the
    counts outlive an article that is deleted.
    """

    variant = models.ForeignKey(AppealVariant, on_delete=models.CASCADE, related_name="tallies")
    article_id = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    form_starts = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "article_id"], name="newsroom_variant_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}/{self.article_id}: {self.impressions}, {self.form_starts}"


class AppealTallyFlush(models.Model):
    """One batch of Redis counters moved into the tallies: written in the same transaction,
    so a batch whose Redis copy survived a crash is recognised and never added twice."""

    batch = models.CharField(max_length=64, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.batch
