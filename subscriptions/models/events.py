from django.db import models
from django.utils import timezone


class StripeEvent(models.Model):
    """A webhook event as Stripe sent it; stored before it is processed, never twice.

    Its uniqueness and indexes are declared in Meta, not with `unique=True` or
    `db_index=True` on the fields: on PostgreSQL those add a second `varchar_pattern_ops`
    index per field, for `LIKE 'prefix%'` lookups that nothing here makes, and every
    webhook's INSERT would pay for all four.
    """

    stripe_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    # The charge, subscription, invoice… the event is about: every event of one object.
    object_id = models.CharField(max_length=255, blank=True)
    # The Stripe customer the object belongs to: a supporter's timeline finds every event
    # of their customers, failed invoices included, with one indexed lookup.
    customer_id = models.CharField(max_length=255, blank=True)
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
        constraints = [
            # The webhook's INSERT … ON CONFLICT (stripe_id) DO NOTHING relies on it.
            models.UniqueConstraint(fields=["stripe_id"], name="stripe_event_stripe_id_unique"),
        ]
        indexes = [
            models.Index(fields=["type"], name="stripe_event_type"),
            models.Index(fields=["object_id"], name="stripe_event_object"),
            models.Index(fields=["customer_id"], name="stripe_event_customer"),
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
