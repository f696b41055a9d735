from django.db import models
from django.utils.translation import gettext_lazy as _

from .supporters import Contribution, SummarySource, Supporter


class DisputeStatus(models.TextChoices):
    NONE = "", _("No dispute")
    WARNING_NEEDS_RESPONSE = "warning_needs_response", _("Warning, needs response")
    WARNING_UNDER_REVIEW = "warning_under_review", _("Warning, under review")
    WARNING_CLOSED = "warning_closed", _("Warning, closed")
    NEEDS_RESPONSE = "needs_response", _("Needs response")
    UNDER_REVIEW = "under_review", _("Under review")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    PREVENTED = "prevented", _("Prevented")


class ReconciliationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_APPLICABLE = "not_applicable", "Not itemizable (manual payout)"


class Payout(models.Model):
    """Money Stripe sent to the newsroom's bank: the unit finance reconciles.

    An automatic payout's transactions are linked once Stripe has completed its
    reconciliation (`reconciled_at`); a manual one (`automatic=False`) cannot be itemized.
    """

    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    automatic = models.BooleanField(default=True)
    reconciliation_status = models.CharField(
        max_length=20,
        choices=ReconciliationStatus.choices,
        default=ReconciliationStatus.IN_PROGRESS,
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)
    # The tie-out: our transactions' sum less the payout amount, once checked (0 = matched).
    tie_out_difference = models.BigIntegerField(null=True, blank=True)
    tied_out_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.TextField(blank=True)
    arrival_date = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-arrival_date"]

    def __str__(self) -> str:
        return self.stripe_payout_id


class Payment(SummarySource):
    """One successful Stripe charge: what the supporter paid (`amount`, `currency`) and what
    the newsroom received, from the balance transaction, in the account's settlement
    currency (`settled_amount`, `fee`, `net`, `settlement_currency`, at `exchange_rate`, which
    is null when the two currencies are the same)."""

    SUMMARY_FIELDS = ("supporter_id", "amount", "amount_refunded", "currency", "paid_at")

    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    stripe_charge_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_balance_transaction_id = models.CharField(max_length=255, blank=True)
    amount = models.PositiveIntegerField(help_text="What the supporter paid, in minor units.")
    currency = models.CharField(max_length=3)
    settled_amount = models.PositiveIntegerField(
        help_text="The gross the newsroom received, in minor units of the settlement currency."
    )
    settlement_currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=9, null=True, blank=True)
    fee = models.PositiveIntegerField(default=0)
    net = models.IntegerField(default=0)
    amount_refunded = models.PositiveIntegerField(default=0)
    # For staff: refunds that failed after they were made (the money stayed with us).
    refund_failures = models.TextField(blank=True)
    dispute_status = models.CharField(
        max_length=30, choices=DisputeStatus.choices, blank=True, default=DisputeStatus.NONE
    )
    stripe_dispute_id = models.CharField(max_length=255, blank=True)
    # "2026-000123": unique and gap-free within each calendar year (ReceiptCounter).
    receipt_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    paid_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(net=models.F("settled_amount") - models.F("fee")),
                name="payment_net_is_settled_gross_less_fee",
            ),
        ]
        indexes = [
            models.Index(fields=["stripe_payment_intent_id"], name="payment_intent"),
            models.Index(fields=["supporter", "-paid_at"], name="payment_supporter_newest"),
        ]
        permissions = [
            ("resend_receipt", "Can resend a receipt"),
            ("refund_payment", "Can refund a payment up to the care limit"),
            ("refund_payment_any_amount", "Can refund any amount"),
            ("approve_refund", "Can approve a refund above the care limit"),
        ]

    def __str__(self) -> str:
        return self.stripe_charge_id

    @property
    def is_refunded(self) -> bool:
        return self.amount_refunded >= self.amount


class BalanceTransaction(models.Model):
    """One movement of money in Stripe's balance (a charge, refund, dispute, fee…).

    Finance reconciles these against payouts; they arrive from whichever event tells us
    first (a payment, or the payout that swept it), so neither order loses the link.
    """

    stripe_id = models.CharField(max_length=255, unique=True)
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions"
    )
    type = models.CharField(max_length=40, blank=True)
    reporting_category = models.CharField(max_length=40)
    source_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount = models.BigIntegerField()
    fee = models.BigIntegerField()
    net = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=9, null=True, blank=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField()
    available_on = models.DateTimeField()
    # What the source (charge, refund, dispute) says: the supporter's side and the card.
    charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    customer_id = models.CharField(max_length=255, blank=True)
    customer_facing_amount = models.BigIntegerField(null=True, blank=True)
    customer_facing_currency = models.CharField(max_length=3, blank=True)
    payment_method_type = models.CharField(max_length=40, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_country = models.CharField(max_length=2, blank=True)
    dispute_reason = models.CharField(max_length=40, blank=True)
    # The local day (NEWSROOM_TIME_ZONE) the books count it on: the day it was created,
    # unless that month was already closed when it arrived; then the first day of the next
    # open month (an adjustment).
    booked_on = models.DateField(db_index=True)

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["currency", "booked_on"], name="balance_txn_books")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(net=models.F("amount") - models.F("fee")),
                name="balance_transaction_net_is_amount_less_fee",
            ),
        ]
        permissions = [
            ("view_reports", "Can view finance reports"),
            ("export_reports", "Can export finance reports"),
        ]

    def __str__(self) -> str:
        return self.stripe_id


class ReceiptCounter(models.Model):
    """The last receipt number given out in a year; locked while the next is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
