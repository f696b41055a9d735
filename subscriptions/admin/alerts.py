"""Admin for what operators must look at: rows failing for an hour or more (the banner on
every admin page links here), and failed emails sent again once the cause is fixed."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from subscriptions.alerts import emails_stuck, stripe_events_stuck
from subscriptions.models import AuditAction, OutboxEmail, StripeEvent
from subscriptions.services.audit import audit_record
from subscriptions.services.outbox import outbox_email_send_again


class AttentionFilter(admin.SimpleListFilter):
    """Rows an operator should look at (the admin banner links here)."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("stuck", "Failing for an hour or more")]

    def queryset(self, request, queryset):
        if self.value() != "stuck":
            return queryset
        stuck = stripe_events_stuck() if queryset.model is StripeEvent else emails_stuck()
        return queryset.filter(pk__in=stuck.values("pk"))


class SendAgainAction(admin.ModelAdmin):
    """The outbox admin's "send again" action (OutboxEmailAdmin builds on it)."""

    actions = ["send_again"]

    @admin.action(description="Send the selected failed emails again", permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        queued = 0
        for email in queryset:
            if outbox_email_send_again(email=email):
                audit_record(
                    action=AuditAction.EMAIL_SENT_AGAIN,
                    target=email,
                    # Not str(email): it names the address, and the log cannot be erased.
                    target_label=f"{email.get_kind_display()} email {email.pk}",
                    request=request,
                )
                queued += 1
        skipped = queryset.count() - queued
        message = f"{queued} email(s) queued to be sent again."
        if skipped:
            message += f" {skipped} not failed, so left alone."
        self.message_user(request, message)
