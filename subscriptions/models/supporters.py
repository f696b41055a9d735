import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from subscriptions.pledges import Frequency


class SupporterState(models.TextChoices):
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    ENDED = "ended", "Ended"
    ONE_TIME = "one_time", "One-time"
    NONE = "none", "No gift yet"


class Supporter(models.Model):
    """A reader who gives; one per email address, whatever its case."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    # Every email to them is written in this language: the one they last gave in.
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # One-click unsubscribe from reminders and win-back; receipts are always sent.
    reminders_unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The provider reported a bounce or complaint: no more reminders to this address.
    email_undeliverable_at = models.DateTimeField(null=True, blank=True)
    email_undeliverable_reason = models.CharField(max_length=200, blank=True)
    # A privacy request erased this supporter: name and email are a pseudonym since.
    erased_at = models.DateTimeField(null=True, blank=True)
    # Part of every manage link and manage session; raising it (an email change, "sign
    # out everywhere") makes all earlier links and sessions stop working at once.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A summary for supporter care's list, kept by supporter_summary_refresh whenever a
    # contribution or payment of this supporter is saved: the list reads one row each.
    state = models.CharField(
        max_length=10, choices=SupporterState.choices, default=SupporterState.NONE
    )
    plan_amount = models.PositiveIntegerField(default=0, help_text="Per period, minor units.")
    plan_monthly_amount = models.PositiveIntegerField(default=0, help_text="Minor units.")
    plan_currency = models.CharField(max_length=3, blank=True)
    plan_frequency = models.CharField(max_length=5, choices=Frequency.choices, blank=True)
    # {"eur": 6000, "usd": 500}: paid less refunded, minor units, per currency.
    lifetime_totals = models.JSONField(default=dict, blank=True)
    first_gift_at = models.DateTimeField(null=True, blank=True)
    has_failed_payment = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="supporter_email_unique_ci"),
        ]
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="supporter_newest"),
            models.Index(fields=["state", "-created_at", "-id"], name="supporter_state"),
            models.Index(fields=["first_gift_at"], name="supporter_first_gift"),
            models.Index(
                fields=["-created_at"],
                condition=models.Q(has_failed_payment=True),
                name="supporter_failed_payment",
            ),
            # Every processed Stripe event asks whether its object is an erased supporter's:
            # from this (nearly empty) index, not from every payment.
            models.Index(
                fields=["erased_at"],
                condition=models.Q(erased_at__isnull=False),
                name="supporter_erased",
            ),
        ]
        # Staff actions, checked by the admin (roles: subscriptions/roles.py).
        permissions = [
            ("send_manage_link", "Can send a supporter a manage link"),
            ("export_supporter_data", "Can export a supporter's data (privacy request)"),
            ("erase_supporter", "Can erase a supporter (privacy request)"),
            ("sign_out_supporter", "Can sign a supporter out of the manage page everywhere"),
            ("change_supporter_language", "Can change the language a supporter is written to in"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def accepts_reminders(self) -> bool:
        return self.reminders_unsubscribed_at is None and self.email_undeliverable_at is None


class ContributionStatus(models.TextChoices):
    """Stripe's subscription statuses, plus our own for checkout and one-time gifts."""

    PENDING = "pending", _("Checkout not completed")
    EXPIRED = "expired", _("Checkout expired")
    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete, expired")
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    UNPAID = "unpaid", _("Unpaid")
    PAUSED = "paused", _("Paused")
    CANCELED = "canceled", _("Canceled")
    PAID = "paid", _("Paid (one-time)")
    FAILED = "failed", _("Payment failed")


CHANGEABLE_STATUSES = {
    ContributionStatus.ACTIVE,
    ContributionStatus.TRIALING,
    ContributionStatus.PAST_DUE,
}


class Upsell(models.TextChoices):
    """What a reader who chose "once" did with the offer of a smaller monthly gift."""

    NOT_OFFERED = "", "Not offered"
    ACCEPTED = "accepted", "Took the monthly gift instead"
    DECLINED = "declined", "Gave once, as first chosen"


class CancelReason(models.TextChoices):
    TOO_EXPENSIVE = "too_expensive", _("I can no longer afford it")
    SUPPORT_ELSEWHERE = "support_elsewhere", _("I support other causes now")
    UNHAPPY = "unhappy", _("I am unhappy with the journalism")
    TEMPORARY = "temporary", _("I only meant to give for a while")
    OTHER = "other", _("Another reason")
    PAYMENT_FAILED = "payment_failed", _("Payments failed")
    PAYMENT_DISPUTED = "payment_disputed", _("A payment was disputed")
    STAFF = "staff", _("Cancelled by staff")


class SummarySource(models.Model):
    """A row a supporter's summary columns are computed from (services/care_records.py).
    It remembers, as loaded or last saved, the fields the summary and the double-gift check
    read, so that a save changing none of them (a webhook repeating what we know) does not
    recompute the summary."""

    SUMMARY_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance.summary_values_remember()
        return instance

    def summary_values(self) -> tuple[object, ...] | None:
        """The fields as they are now; None when one was not loaded (deferred)."""
        loaded = self.__dict__
        if any(name not in loaded for name in self.SUMMARY_FIELDS):
            return None
        return tuple(loaded[name] for name in self.SUMMARY_FIELDS)

    def summary_values_remember(self) -> None:
        self._summary_saved = self.summary_values()

    def summary_changed(self) -> bool:
        saved = getattr(self, "_summary_saved", None)
        return saved is None or saved != self.summary_values()


class Contribution(SummarySource):
    """One plan: a recurring gift (a Stripe subscription) or a single gift."""

    SUMMARY_FIELDS = ("supporter_id", "amount", "currency", "frequency", "status")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    amount = models.PositiveIntegerField(help_text="Per period, in minor units (cents).")
    currency = models.CharField(max_length=3)
    frequency = models.CharField(max_length=5, choices=Frequency.choices)
    status = models.CharField(
        max_length=20, choices=ContributionStatus.choices, default=ContributionStatus.PENDING
    )
    covers_fees = models.BooleanField(default=False)
    covered_fee = models.PositiveIntegerField(
        default=0, help_text="The part of the amount added to cover Stripe's fee."
    )
    upsell = models.CharField(
        "once-to-monthly offer",
        max_length=10,
        choices=Upsell.choices,
        blank=True,
        default=Upsell.NOT_OFFERED,
    )
    source_article = models.ForeignKey(
        "newsroom.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language the appeal was shown in; the supporter's emails follow it.
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The appeal variant the reader was shown while an A/B test ran (newsroom's appeal
    # tests count the gift for it once its first payment is confirmed).
    appeal_variant = models.ForeignKey(
        "newsroom.AppealVariant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    # The appeal form's one-time token: a resubmitted form finds this row again.
    checkout_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Each checkout makes its own Stripe customer, so one supporter may have several.
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_checkout_session_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    stripe_subscription_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Stripe's own ordering of what we last mirrored, so an older event never wins.
    stripe_synced_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # The card Stripe charges, for the "card expiring" reminder (never the number itself).
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set to end: at the period end, or at Stripe's `cancel_at` when that is set.
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_at = models.DateTimeField(null=True, blank=True)
    # Stripe's pause_collection: the plan runs on but nothing is charged, until resumes_at
    # (staff pause a plan for some months; see services/care.py).
    collection_paused = models.BooleanField(default=False)
    collection_resumes_at = models.DateTimeField(null=True, blank=True)
    # A switch of frequency waits for the end of the paid period (a Stripe subscription
    # schedule): what the gift becomes, and from when. Empty when nothing is pending.
    stripe_schedule_id = models.CharField(max_length=255, blank=True)
    scheduled_amount = models.PositiveIntegerField(null=True, blank=True)
    scheduled_frequency = models.CharField(max_length=5, choices=Frequency.choices, blank=True)
    scheduled_from = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=30, choices=CancelReason.choices, blank=True)
    cancel_reason_detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="contribution_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[a-z]{3}$"), name="contribution_currency_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values),
                name="contribution_frequency_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ContributionStatus.values),
                name="contribution_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(covered_fee__lt=models.F("amount")),
                name="contribution_covered_fee_below_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(upsell__in=Upsell.values), name="contribution_upsell_known"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "frequency"]),
            models.Index(fields=["stripe_customer_id"], name="contribution_customer"),
        ]
        permissions = [
            ("cancel_contribution", "Can cancel a plan"),
            ("pause_contribution", "Can pause and resume a plan"),
            ("change_amount", "Can change a plan's amount"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.get_frequency_display()} ({self.status})"

    @property
    def is_recurring(self) -> bool:
        return self.frequency != Frequency.ONCE

    @property
    def ends_on(self) -> "datetime | None":
        """The day a plan set to end (or ended) stops: Stripe's cancel_at, else its period end."""
        if self.ended_at:
            return self.ended_at
        if not self.cancel_at_period_end:
            return None
        return self.cancel_at or self.current_period_end

    @property
    def collection_pause(self) -> str:
        """Whether payments are paused, in words a timeline can show before and after."""
        if not self.collection_paused:
            return "running"
        if self.collection_resumes_at is None:
            return "paused"
        return f"paused until {self.collection_resumes_at:%Y-%m-%d}"

    @property
    def is_changeable(self) -> bool:
        """A running plan the supporter may change, cancel or resume."""
        return self.is_recurring and self.status in CHANGEABLE_STATUSES
