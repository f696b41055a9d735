"""Rows that mirror Stripe, and the email outbox: read in admin, changed at Stripe."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from subscriptions.models import (
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Upsell,
)
from subscriptions.money import money_format
from subscriptions.selectors import upsell_figures
from subscriptions.services.events import EventProcessingFailed, stripe_event_replay

from .alerts import AttentionFilter, SendAgainAction


class UpsellFilter(admin.SimpleListFilter):
    """The once-to-monthly offer, each answer with how many gifts gave it: the
    conversion figure at a glance."""

    title = "once-to-monthly offer"
    parameter_name = "upsell"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        figures = upsell_figures()
        rate = "" if figures.accepted_percent is None else f", {figures.accepted_percent}%"
        return [
            (Upsell.ACCEPTED, f"{Upsell.ACCEPTED.label} ({figures.accepted}{rate})"),
            (Upsell.DECLINED, f"{Upsell.DECLINED.label} ({figures.declined})"),
            ("none", str(Upsell.NOT_OFFERED.label)),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(upsell=Upsell.NOT_OFFERED)
        if value in (Upsell.ACCEPTED, Upsell.DECLINED):
            return queryset.filter(upsell=value)
        return queryset


class MirrorOfStripeAdmin(admin.ModelAdmin):
    """Rows that mirror Stripe: read here, changed at Stripe (or from the manage page)."""

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, row: Any) -> str:
        return money_format(row.amount, currency=row.currency, trim_zero_cents=False)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(Contribution)
class ContributionAdmin(MirrorOfStripeAdmin):
    list_display = ["supporter", "amount_shown", "frequency", "status", "created_at"]
    list_filter = ["status", "frequency", "currency", "covers_fees", UpsellFilter]
    search_fields = [
        "supporter__email",
        "supporter__name",
        "stripe_subscription_id",
        "stripe_customer_id",
    ]
    list_select_related = ["supporter"]


@admin.register(Payment)
class PaymentAdmin(MirrorOfStripeAdmin):
    # What the supporter paid, then what the newsroom received (in the settlement currency).
    list_display = [
        "paid_at",
        "supporter",
        "amount_shown",
        "settled_shown",
        "fee_shown",
        "net_shown",
        "refunded_shown",
        "receipt_number",
        "refund_failures",
    ]
    list_filter = ["currency", "settlement_currency", "dispute_status"]
    search_fields = ["stripe_charge_id", "stripe_invoice_id", "receipt_number", "supporter__email"]
    list_select_related = ["supporter"]

    def _settled(self, amount: int, payment: Payment) -> str:
        return money_format(amount, currency=payment.settlement_currency, trim_zero_cents=False)

    @admin.display(description="Received", ordering="settled_amount")
    def settled_shown(self, payment: Payment) -> str:
        return self._settled(payment.settled_amount, payment)

    @admin.display(description="Fee", ordering="fee")
    def fee_shown(self, payment: Payment) -> str:
        return self._settled(payment.fee, payment)

    @admin.display(description="Net", ordering="net")
    def net_shown(self, payment: Payment) -> str:
        return self._settled(payment.net, payment)

    @admin.display(description="Refunded", ordering="amount_refunded")
    def refunded_shown(self, payment: Payment) -> str:
        return money_format(
            payment.amount_refunded, currency=payment.currency, trim_zero_cents=False
        )


@admin.register(Payout)
class PayoutAdmin(MirrorOfStripeAdmin):
    list_display = [
        "stripe_payout_id",
        "amount_shown",
        "status",
        "automatic",
        "reconciliation_status",
        "arrival_date",
    ]
    list_filter = ["status", "reconciliation_status"]


@admin.register(StripeEvent)
class StripeEventAdmin(MirrorOfStripeAdmin):
    list_display = ["stripe_id", "type", "object_id", "received_at", "processed_at", "attempts"]
    list_filter = [AttentionFilter, "type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["stripe_id", "type", "=object_id"]
    actions = ["process_again"]

    @admin.action(description="Process the selected events again", permissions=["change"])
    def process_again(self, request, queryset) -> None:
        for event in queryset:
            try:
                stripe_event_replay(stripe_id=event.stripe_id)
            except EventProcessingFailed as error:
                self.message_user(
                    request, f"Event {event.stripe_id} failed again: {error}", "error"
                )
            else:
                self.message_user(request, f"Event {event.stripe_id} processed.")


@admin.register(OutboxEmail)
class OutboxEmailAdmin(SendAgainAction):
    list_display = ["created_at", "to", "kind", "status", "attempts", "sent_at"]
    list_filter = [AttentionFilter, "status", "kind", "operator_fault"]
    search_fields = ["to", "subject", "message_id", "key"]
    list_select_related = ["supporter"]
    # Read-only, text included: a stored email is a record of what was sent. Its links
    # are placeholders; the real ones exist only in the message the supporter received.
    readonly_fields = [field.name for field in OutboxEmail._meta.fields if field.name != "html"]
    fields = [*readonly_fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="subscriptions_outboxemail_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int) -> HttpResponse:
        """The HTML exactly as it was sent, in a sandbox: no scripts, no forms."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        email = get_object_or_404(OutboxEmail, pk=pk)
        response = HttpResponse(email.html)
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'"
        )
        return response
