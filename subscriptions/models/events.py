from django.db import models


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

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="stripe_event_unprocessed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"
