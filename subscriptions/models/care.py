"""What supporter care needs beside Stripe's mirror (a plan's history is in history.py):
refunds waiting for a second person, possible double gifts, and once-only staff actions."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .payments import Payment
from .supporters import Contribution, Supporter


class RefundRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    REFUNDED = "refunded", "Approved and refunded"
    REFUSED = "refused", "Refused"


class RefundRequest(models.Model):
    """A refund above the care limit: asked by one person, approved by another (Finance)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_requests")
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveIntegerField(help_text="In minor units.")
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=RefundRequestStatus.choices, default=RefundRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="refund_request_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="refund_request_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund of {self.amount} {self.currency} on {self.payment}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", "To review"
    INTENDED = "intended", "Intended"
    REFUNDED = "refunded", "Duplicate refunded"


class PossibleDuplicate(models.Model):
    """Two gifts that look like one given twice: same supporter (or email), amount and
    currency within 24 hours, or two plans running at once."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    first_payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    duplicate_payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="duplicate_flag"
    )
    first_contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    duplicate_contribution = models.OneToOneField(
        Contribution,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duplicate_flag",
    )
    kind = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="open"),
                name="duplicate_open",
            )
        ]
        permissions = [("resolve_duplicate", "Can resolve a possible double gift")]

    def __str__(self) -> str:
        return f"Possible double gift of supporter {self.supporter_id}"


class StaffActionToken(models.Model):
    """The hidden one-time token of a staff action's form: a double click acts once."""

    token = models.UUIDField(unique=True, default=uuid.uuid4)
    action = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.action} {self.token}"
