from django.db import models
from django.utils import timezone


class StripeEvent(models.Model):
    """A webhook event as Stripe sent it; stored before it is processed, never twice."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    # The charge, subscription, invoice… the event is about: every event of one object.
    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    # The Stripe customer the object belongs to: a supporter's timeline finds every event
    # of their customers, failed invoices included, with one indexed lookup.
    customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    stripe_created_at = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the sweeper may queue it (again): back-off after failures. Empty on an
    # unprocessed event means parked: it failed for days and waits for an operator.
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # Set once the payload was cut to id, type and object id (kept only so long).
    payload_pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="stripe_event_unprocessed",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(processed_at__isnull=True),
                name="stripe_event_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"

    @property
    def is_parked(self) -> bool:
        return self.processed_at is None and self.next_attempt_at is None
