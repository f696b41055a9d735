from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from . import admin_staff  # noqa: F401  (registers the audit log)
from .admin_alerts import AttentionFilter, SendAgainAction
from .admin_privacy import PrivacyRequestActions
from .models import (
    AuditAction,
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Supporter,
)
from .services.audit import audit_record
from .services.events import EventProcessingFailed, stripe_event_replay
from .services.supporters import supporter_sign_out_everywhere


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = (
        "amount",
        "currency",
        "frequency",
        "status",
        "current_period_end",
        "created_at",
    )


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "paid_at",
        "amount",
        "currency",
        "amount_refunded",
        "net",
        "settlement_currency",
        "dispute_status",
    )


class OutboxEmailInline(admin.TabularInline):
    model = OutboxEmail
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "created_at",
        "kind",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "preview",
    )
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Preview")
    def preview(self, email: OutboxEmail) -> str:
        url = reverse("admin:subscriptions_outboxemail_preview", args=[email.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">View as sent</a>', url)


@admin.register(Supporter)
class SupporterAdmin(PrivacyRequestActions):
    list_display = ["email", "name", "created_at", "reminders_unsubscribed_at"]
    search_fields = ["email", "name", "contributions__stripe_customer_id"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "email_undeliverable_at",
        "email_undeliverable_reason",
        "erased_at",
    ]
    inlines = [ContributionInline, PaymentInline, OutboxEmailInline]
    actions = [*PrivacyRequestActions.actions, "sign_out_everywhere"]

    def has_sign_out_permission(self, request) -> bool:
        return request.user.has_perm("subscriptions.sign_out_supporter")

    @admin.action(
        description="Sign out of the manage page everywhere (ends every link sent so far)",
        permissions=["sign_out"],
    )
    def sign_out_everywhere(self, request, queryset) -> None:
        count = 0
        for supporter in queryset:
            with transaction.atomic():
                supporter_sign_out_everywhere(supporter=supporter)
                audit_record(
                    action=AuditAction.SUPPORTER_SIGNED_OUT, target=supporter, request=request
                )
            count += 1
        self.message_user(
            request,
            f"Signed out {count} supporter{'s' if count != 1 else ''} everywhere: "
            "their earlier manage links no longer work.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "email" in form.changed_data:
                # Links sent to the old address, and sessions they opened, stop working.
                supporter_sign_out_everywhere(supporter=obj)
                audit_record(
                    action=AuditAction.SUPPORTER_EMAIL_CHANGED, target=obj, request=request
                )


class MirrorOfStripeAdmin(admin.ModelAdmin):
    """Rows that mirror Stripe: read here, changed at Stripe (or from the manage page)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(Contribution)
class ContributionAdmin(MirrorOfStripeAdmin):
    list_display = ["supporter", "amount", "currency", "frequency", "status", "created_at"]
    list_filter = ["status", "frequency", "currency", "covers_fees"]
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
        "amount",
        "currency",
        "settled_amount",
        "fee",
        "net",
        "settlement_currency",
        "amount_refunded",
        "receipt_number",
        "refund_failures",
    ]
    list_filter = ["currency", "dispute_status"]
    search_fields = ["stripe_charge_id", "stripe_invoice_id", "receipt_number", "supporter__email"]
    list_select_related = ["supporter"]


@admin.register(Payout)
class PayoutAdmin(MirrorOfStripeAdmin):
    list_display = [
        "stripe_payout_id",
        "amount",
        "currency",
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
