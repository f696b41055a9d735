from django.db import models

from .supporters import Supporter


class EmailKind(models.TextChoices):
    THANK_YOU = "thank_you", "Thank you (first payment)"
    RECEIPT = "receipt", "Receipt"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_ACTION_REQUIRED = "payment_action_required", "Payment needs confirming"
    CARD_EXPIRING = "card_expiring", "Card expiring"
    RENEWAL_COMING = "renewal_coming", "Yearly renewal coming up"
    CONTRIBUTION_CHANGED = "contribution_changed", "Contribution changed"
    CANCELLATION = "cancellation", "Cancellation confirmed"
    CONTINUES = "continues", "Cancellation undone: support continues"
    REFUND = "refund", "Refund issued"
    WIN_BACK = "win_back", "Win-back"
    YEAR_END = "year_end", "Year-end statement"
    MANAGE_LINK = "manage_link", "Manage link"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEmail(models.Model):
    """One email to send, rendered when the fact it reports was recorded.

    Unique per (supporter, kind, key) (e.g. one receipt per charge id), so a duplicated
    webhook or a retried task can never send the same email twice.
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    key = models.CharField(max_length=255)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    html = models.TextField()
    text = models.TextField()
    unsubscribe_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a transient failure: not before this time (exponential back-off).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The last failure was ours to fix (mail credentials refused), not the address's.
    operator_fault = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "kind", "key"], name="outbox_one_email_per_fact"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EmailStatus.values), name="outbox_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outbox_unsent",
            ),
            # The operators' banner, on every admin page, looks for these among millions.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="failed", operator_fault=True),
                name="outbox_operator_fault",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}"
