"""A plan's history: what changed, when, why and by whom, kept after the plan changes
again (a cancellation that was undone keeps its reason here)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .supporters import CancelReason, Contribution, Supporter


class ChangedBy(models.TextChoices):
    SUPPORTER = "supporter", "The supporter (manage page)"
    STAFF = "staff", "Staff"
    STRIPE = "stripe", "Stripe"


class ContributionChange(models.Model):
    """One change of a plan's amount, frequency or state, and who made it, and why."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="changes")
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_changes"
    )
    field = models.CharField(max_length=20)
    before = models.CharField(max_length=40, blank=True)
    after = models.CharField(max_length=40, blank=True)
    changed_by = models.CharField(max_length=10, choices=ChangedBy.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why, when the change is a cancellation: the reason chosen and the words given.
    reason = models.CharField(max_length=30, choices=CancelReason.choices, blank=True)
    reason_detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # A supporter's timeline reads their changes newest first.
        indexes = [
            models.Index(fields=["supporter", "-created_at"], name="change_supporter_timeline")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} -> {self.after} ({self.changed_by})"
