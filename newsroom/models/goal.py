from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class GoalKind(models.TextChoices):
    SUPPORTERS = "supporters", "New monthly supporters"
    AMOUNT = "amount", "Amount given, in one currency"


class CampaignGoal(models.Model):
    """A target the appeal shows progress towards, counted from our own records while the
    campaign runs (newsroom.goals)."""

    name = models.CharField(max_length=100, help_text="For staff only, e.g. “Spring drive”.")
    kind = models.CharField(max_length=10, choices=GoalKind.choices, default=GoalKind.SUPPORTERS)
    target = models.PositiveIntegerField(
        help_text="A number of supporters, or an amount in whole units: 20000 means €20,000."
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="For an amount only: lowercase ISO code (eur, usd, gbp). "
        "Gifts in other currencies do not count towards it.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="newsroom_goal_target_gt_0"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="newsroom_goal_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=GoalKind.SUPPORTERS, currency="")
                    | Q(kind=GoalKind.AMOUNT, currency__regex=r"^[a-z]{3}$")
                ),
                name="newsroom_goal_currency_for_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == GoalKind.AMOUNT and self.currency not in settings.CONTRIBUTION_CURRENCIES:
            choices = ", ".join(settings.CONTRIBUTION_CURRENCIES)
            raise ValidationError({"currency": f"Choose one of the currencies we take: {choices}."})
        if self.kind == GoalKind.SUPPORTERS and self.currency:
            raise ValidationError(
                {"currency": "Leave the currency empty for a goal of supporters."}
            )
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The goal must end after it starts."})
