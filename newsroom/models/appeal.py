from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from subscriptions.pledges import Frequency

# The built-in appeal: new appeals start from it, and a language without a live appeal of
# its own shows it, translated.
DEFAULT_HEADING = gettext_noop("Before you go: we have a small favour to ask")
DEFAULT_BODY = gettext_noop(
    "Everything we publish is free to read, and we want to keep it that way. "
    "No billionaire owns us and no advertiser tells us what to cover: our reporters "
    "answer to you, the people who read them.\n\n"
    "Sitting through council meetings, reading planning files and knocking on doors "
    "takes time, and time costs money. If you value what you have just read, please "
    "support us monthly, starting from just €2, $2 or £2. It takes less than a minute, "
    "and you can change or cancel whenever you like."
)


class Appeal(models.Model):
    name = models.CharField(max_length=100, help_text="For staff only, e.g. “Spring 2026 appeal”.")
    heading = models.CharField(max_length=200, default=DEFAULT_HEADING)
    body = models.TextField(
        default=DEFAULT_BODY,
        help_text="Plain text from the journalists; a blank line starts a new paragraph.",
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="Readers see the live appeal of the page's language.",
    )
    is_live = models.BooleanField(
        "live",
        default=False,
        help_text="The live appeal is the one readers see. One can be live per language.",
    )
    default_frequency = models.CharField(
        max_length=5, choices=Frequency.choices, default=Frequency.MONTH
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_live", "-modified"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "is_live"],
                condition=Q(is_live=True),
                name="newsroom_one_live_appeal_per_language",
                violation_error_message=(
                    "Another appeal in this language is already live: switch it off first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (live)" if self.is_live else self.name


class AppealAmount(models.Model):
    """One suggested amount button, for one currency and frequency."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="amounts")
    currency = models.CharField(
        max_length=3,
        validators=[RegexValidator(r"^[a-z]{3}$", "Use a lowercase ISO code such as eur.")],
        help_text="Lowercase ISO code: eur, usd, gbp.",
    )
    frequency = models.CharField(max_length=5, choices=Frequency.choices)
    amount = models.PositiveIntegerField(help_text="In minor units (cents, pence): 500 means 5.00.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["currency", "frequency", "position", "amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "currency", "frequency", "amount"],
                name="newsroom_appeal_amount_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="newsroom_appeal_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.frequency})"
