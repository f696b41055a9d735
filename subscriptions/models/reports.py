from django.conf import settings
from django.db import models


class MonthClose(models.Model):
    """A month finance has closed, per settlement currency: its ledger and figures frozen.

    `ledger_csv` is the month's ledger exactly as exported when it was closed, and
    `checksum` its SHA-256; exports of a closed month are built from them, so they never
    change. Transactions that arrive later for the month are booked in the next open one.
    """

    month = models.DateField(help_text="The first day of the month.")
    currency = models.CharField(max_length=3)
    figures = models.JSONField(help_text="Opening and closing balance, totals by category.")
    ledger_csv = models.TextField()
    checksum = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "currency"], name="month_close_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="month_close_first_day"),
        ]
        permissions = [("close_month", "Can close a month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency.upper()}"


class ReportExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ReportExport(models.Model):
    """A large export run by a worker; its file is kept for a week, then deleted."""

    report = models.CharField(max_length=20)
    file_format = models.CharField(max_length=4)
    start = models.DateField()
    end = models.DateField()
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(
        max_length=10, choices=ReportExportStatus.choices, default=ReportExportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="report_exports/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report} {self.start}–{self.end} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ReportExportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class StripeComparisonStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Asking Stripe"
    AGREES = "agrees", "Agrees with Stripe"
    DIFFERS = "differs", "Differs from Stripe"
    FAILED = "failed", "Could not compare"


class StripeReportComparison(models.Model):
    """One comparison of our ledger with Stripe's itemized payout reconciliation report
    for a period (daily by beat, or asked for from the Reports page), and what it found."""

    start = models.DateField()
    end = models.DateField(help_text="The day after the last one.")
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10,
        choices=StripeComparisonStatus.choices,
        default=StripeComparisonStatus.PENDING,
    )
    lines_compared = models.PositiveIntegerField(default=0)
    differences = models.JSONField(
        default=list, help_text="Each difference: transaction, column, ours, Stripe's."
    )
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="stripe_comparison_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} {self.currency.upper()} ({self.get_status_display()})"
